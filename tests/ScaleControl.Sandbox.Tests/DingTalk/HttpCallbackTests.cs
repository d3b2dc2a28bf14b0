using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class HttpCallbackTests
{
    private static readonly object s_approved = new
    {
        cardData = new { cardParamMap = new { status = "approved", decidedBy = "张三" } },
        cardUpdateOptions = new { updateCardDataByKey = true },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tap_HttpCard_PostsSignedPayloadAndAppliesBareOrWrappedAnswer(bool wrapped)
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(wrapped ? new { response = s_approved } : s_approved)));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("scaler", receiver.Url, "route-secret");
        await host.CreateCardAsync("http-1", "HTTP", "scaler");

        var (status, result) = await host.TapAsync("http-1", "zhangsan", "approve");

        Assert.Equal(200, status);
        var received = Assert.Single(receiver.Received);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("route-secret"), Encoding.UTF8.GetBytes(received.Timestamp)));
        Assert.Equal(expected, received.Signature);
        Assert.StartsWith("application/json", received.ContentType);
        Assert.InRange(long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture), 1_700_000_000_000, 9_999_999_999_999);
        var payload = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("http-1", payload.GetProperty("outTrackId").GetString());
        Assert.Equal(JsonValueKind.String, payload.GetProperty("content").ValueKind);
        Assert.Equal("Updated", result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("approved", result.GetProperty("card").GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("shop/checkout-api", result.GetProperty("card").GetProperty("cardData").GetProperty("workload").GetString());
    }

    [Fact]
    public async Task Tap_RouteWithoutApiSecret_SendsNoSignatureHeaders()
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(new { })));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("open", receiver.Url, apiSecret: null);
        await host.CreateCardAsync("http-2", "HTTP", "open");

        var (_, result) = await host.TapAsync("http-2", "lisi", "reject");

        var received = Assert.Single(receiver.Received);
        Assert.Equal("", received.Signature);
        Assert.Equal("", received.Timestamp);
        Assert.Equal("NoChange", result.GetProperty("tap").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tap_ReceiverSlowerThanTwoSeconds_TimesOutAndCardIsNotUpdated()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        var release = new TaskCompletionSource();
        var arrived = new TaskCompletionSource();
        await using var receiver = await CallbackReceiver.StartAsync(async _ =>
        {
            arrived.TrySetResult();
            await release.Task;
            return Results.Json(s_approved);
        });
        await using var host = await EmulatorHost.StartAsync(time: time);
        await host.RegisterRouteAsync("slow", receiver.Url, "s");
        await host.CreateCardAsync("http-slow", "HTTP", "slow");

        var tap = host.TapAsync("http-slow", "zhangsan", "approve");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromSeconds(2));
        var (_, result) = await tap;
        release.SetResult();
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/http-slow");

        Assert.Equal("Timeout", result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"cardData":{"cardParamMap":{"replicasTo":60}}}""", "InvalidResponse")]
    [InlineData("not json", "InvalidResponse")]
    public async Task Tap_AnswerThatCannotBeApplied_LeavesCardUnchanged(string answer, string outcome)
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.Text(answer, "application/json")));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("bad", receiver.Url, "s");
        await host.CreateCardAsync("http-bad", "HTTP", "bad");

        var (_, result) = await host.TapAsync("http-bad", "zhangsan", "approve");

        Assert.Equal(outcome, result.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal(1, result.GetProperty("card").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Tap_ReceiverAnswers500_IsCallbackFailed()
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.StatusCode(500)));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("err", receiver.Url, "s");
        await host.CreateCardAsync("http-500", "HTTP", "err");

        var (_, result) = await host.TapAsync("http-500", "zhangsan", "approve");

        Assert.Equal("CallbackFailed", result.GetProperty("tap").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tap_NonApproverGetsPrivateMessage_OnlyThatUserSeesIt()
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(new
        {
            userPrivateData = new { cardParamMap = new { privateMessage = "you are not an approver for shop/checkout-api" } },
        })));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("priv", receiver.Url, "s");
        await host.CreateCardAsync("http-priv", "HTTP", "priv");

        var (_, result) = await host.TapAsync("http-priv", "wangwu", "approve");
        var asZhangsan = await host.Http.GetFromJsonAsync<JsonElement>("cards/http-priv?userId=zhangsan");

        var card = result.GetProperty("card");
        Assert.Equal("you are not an approver for shop/checkout-api", card.GetProperty("userPrivateData").GetProperty("privateMessage").GetString());
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Empty(asZhangsan.GetProperty("userPrivateData").EnumerateObject());
        Assert.Equal(2, card.GetProperty("buttons").GetArrayLength()); // approve + reject still shown
    }

    [Fact]
    public async Task Tap_DuplicateFault_DeliversTheSameCallbackTwice()
    {
        await using var receiver = await CallbackReceiver.StartAsync(_ => Task.FromResult(Results.Json(new { })));
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("dup", receiver.Url, "s");
        await host.CreateCardAsync("http-dup", "HTTP", "dup");
        await host.Http.PostAsJsonAsync("faults", new { api = "cardCallback", kind = "DuplicateCallback" });

        await host.TapAsync("http-dup", "zhangsan", "approve");

        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(receiver.Received.First().Body, receiver.Received.Last().Body);
    }

    [Theory]
    [InlineData("zhangsan", "nope", 409)]
    [InlineData("nobody", "approve", 400)]
    public async Task Tap_InvalidUserOrHiddenButton_IsRefused(string userId, string actionId, int status)
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.CreateCardAsync("refuse", null);

        var (actual, _) = await host.TapAsync("refuse", userId, actionId);

        Assert.Equal(status, actual);
    }

    [Fact]
    public async Task Tap_UserOutsideRecipients_CannotSeeCard()
    {
        await using var host = await EmulatorHost.StartAsync();
        var body = host.CreateAndDeliverBody("private-card", null);
        body["imGroupOpenDeliverModel"]!["recipients"] = new System.Text.Json.Nodes.JsonArray("zhangsan");
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, await host.TokenAsync());

        var (status, _) = await host.TapAsync("private-card", "lisi", "approve");

        Assert.Equal(403, status);
    }

    [Fact]
    public async Task Register_ExistingKeyWithoutForceUpdate_ReturnsExistingThenForceOverwrites()
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.RegisterRouteAsync("k", "http://127.0.0.1:1/a", "one");

        var kept = await host.RegisterRouteAsync("k", "http://127.0.0.1:1/b", "two");
        var forced = await host.RegisterRouteAsync("k", "http://127.0.0.1:1/b", "two", forceUpdate: true);

        Assert.Equal("http://127.0.0.1:1/a", kept.GetProperty("result").GetProperty("callbackUrl").GetString());
        Assert.Equal("http://127.0.0.1:1/b", forced.GetProperty("result").GetProperty("callbackUrl").GetString());
    }

    [Fact]
    public async Task Register_ExistingKeyWhenConfiguredStrict_Answers500CallbackRouteKeyExist()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.RegisterExistingRouteReturnsExisting = false;
        await using var host = await EmulatorHost.StartAsync(options);
        await host.RegisterRouteAsync("k", "http://127.0.0.1:1/a", null);

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/card/callbacks/register",
            new { callbackRouteKey = "k", callbackUrl = "http://127.0.0.1:1/b" }, await host.TokenAsync());

        Assert.Equal(500, status);
        Assert.Equal("param.callbackRouteKeyExist", body.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(null, "http://x/y", "param.callbackRouteKeyEmpty")]
    [InlineData("k", null, "param.callbackUrlEmpty")]
    public async Task Register_MissingField_Answers400(string? key, string? url, string code)
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/card/callbacks/register",
            new { callbackRouteKey = key, callbackUrl = url }, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }
}
