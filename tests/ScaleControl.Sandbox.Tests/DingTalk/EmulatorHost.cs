using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.DingTalk;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>
/// The emulator alone (the shared <see cref="DingTalkEmulator"/> host), plus raw HTTP helpers for the emulator's own
/// protocol tests: no product client.
/// </summary>
public sealed class EmulatorHost : IAsyncDisposable
{
    private readonly DingTalkEmulator _emulator;

    private EmulatorHost(DingTalkEmulator emulator, string prefix)
    {
        _emulator = emulator;
        BaseUrl = new Uri(emulator.Url.ToString().TrimEnd('/') + prefix);
    }

    /// <summary>
    /// The emulator for a client that runs as its own process (the official SDKs under node): it waits 30 s for an
    /// ACK instead of DingTalk's 2 s. On a loaded 2-core runner a starved node process answered a push or a tap after
    /// the 2 s (the push stayed NotAcked, the tap timed out) although it did everything right; these tests are about
    /// what the SDK sends and receives. The 2 s deadline itself is held by the in-process RawStreamClient tests.
    /// </summary>
    public static DingTalkSandboxOptions ForOutOfProcessClient()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.CallbackTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    /// <summary>Where the emulator is mounted, without a trailing slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Plain HTTP at the emulator's mount point.</summary>
    public HttpClient Http => _emulator.Script;
    public DingTalkSandboxOptions Options => _emulator.Options;
    public SandboxApp App => Options.Apps[0];
    public SandboxGroup Group => Options.Groups[0];
    public string GroupSpace => $"dtv1.card//IM_GROUP.{Group.OpenConversationId}";

    public static async Task<EmulatorHost> StartAsync(
        DingTalkSandboxOptions? options = null, TimeProvider? time = null, string prefix = SandboxDingTalkExtensions.DefaultPrefix) =>
        new(await DingTalkEmulator.StartAsync(options ?? DingTalkSandboxOptions.CreateDefault(), time, prefix), prefix);

    public T Service<T>() where T : notnull => _emulator.Service<T>();

    public async Task<string> TokenAsync()
    {
        var response = await Http.PostAsJsonAsync("v1.0/oauth2/accessToken", new { appKey = App.AppKey, appSecret = App.AppSecret });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>Sends <paramref name="body"/> (serialized as is) with the access-token header.</summary>
    public async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        if (token is not null)
        {
            request.Headers.Add("x-acs-dingtalk-access-token", token);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static JsonObject ApprovalCardData(string status = "pending", string? halfStepTo = null)
    {
        var map = new JsonObject
        {
            ["title"] = "shop/checkout-api: 20 → 60 replicas",
            ["workload"] = "shop/checkout-api",
            ["replicasFrom"] = "20",
            ["replicasTo"] = "60",
            ["reason"] = "QPS 48k rising",
            ["status"] = status,
        };
        if (halfStepTo is not null)
        {
            map["halfStepTo"] = halfStepTo;
        }

        return new JsonObject { ["cardParamMap"] = map };
    }

    /// <summary>A valid createAndDeliver body into the on-call group; callers mutate it for the error cases.</summary>
    public JsonObject CreateAndDeliverBody(string outTrackId, string? callbackType = "STREAM", string? routeKey = null) => new()
    {
        ["cardTemplateId"] = SandboxCardTemplate.ScaleApprovalId,
        ["outTrackId"] = outTrackId,
        ["callbackType"] = callbackType,
        ["callbackRouteKey"] = routeKey,
        ["userIdType"] = 1,
        ["cardData"] = ApprovalCardData(),
        ["openSpaceId"] = GroupSpace,
        ["imGroupOpenSpaceModel"] = new JsonObject { ["supportForward"] = false },
        ["imGroupOpenDeliverModel"] = new JsonObject { ["robotCode"] = App.RobotCode, ["atUserIds"] = new JsonObject { ["zhangsan"] = "张三" } },
    };

    public async Task CreateCardAsync(string outTrackId, string? callbackType = "STREAM", string? routeKey = null, JsonObject? cardData = null)
    {
        var body = CreateAndDeliverBody(outTrackId, callbackType, routeKey);
        if (cardData is not null)
        {
            body["cardData"] = cardData;
        }

        var (status, result) = await CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, await TokenAsync());
        Assert.True(status == 200, result.ToString());
    }

    /// <summary>Taps through the script API; returns the HTTP status and the body (tap + card).</summary>
    public async Task<(int Status, JsonElement Body)> TapAsync(string outTrackId, string userId, string actionId) =>
        await CallAsync(HttpMethod.Post, $"cards/{outTrackId}/tap", new { userId, actionIds = new[] { actionId } }, null);

    public async Task<JsonElement> RegisterRouteAsync(string key, string url, string? apiSecret, bool forceUpdate = false)
    {
        var (status, body) = await CallAsync(HttpMethod.Post, "v1.0/card/callbacks/register",
            new { callbackRouteKey = key, callbackUrl = url, apiSecret, forceUpdate }, await TokenAsync());
        Assert.True(status == 200, body.ToString());
        return body;
    }

    /// <summary>Waits (real time, patiently) until a Stream connection subscribes to the robot's chat topic: pushes reach it only then.</summary>
    public async Task WaitForRobotListenerAsync()
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience.Of(10))
        {
            var connections = await Http.GetFromJsonAsync<JsonElement>("stream/connections");
            if (connections.EnumerateArray().Any(c => c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get")))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("no Stream connection subscribed to the robot topic");
    }

    public ValueTask DisposeAsync() => _emulator.DisposeAsync();
}
