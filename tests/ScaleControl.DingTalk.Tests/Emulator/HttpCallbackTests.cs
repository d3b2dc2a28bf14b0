using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Emulator;

public class HttpCallbackTests
{
    private const string OutTrackId = "shop.checkout-api-7f3a";
    private const string Payload = """
        {"type":"actionCallback","outTrackId":"shop.checkout-api-7f3a","corpId":"dingsandboxcorp001","userId":"zhangsan","userIdType":1,
         "content":"{\"cardPrivateData\":{\"actionIds\":[\"approve\"],\"params\":{\"action\":\"approve\"}}}"}
        """;

    private static async Task<DingTalkWorld> WorldWithCardAsync(ICallbackReplayLedger? replicasLedger = null)
    {
        var world = await DingTalkWorld.StartAsync(
            httpCallbacks: true, clientServices: replicasLedger is null ? null : s => s.AddSingleton(replicasLedger));
        await world.ClientService<CardCallbackRouteRegistrar>().Registered.WaitAsync(TimeSpan.FromSeconds(30));
        var proposal = SampleProposals.Pending();
        world.Inbox.Add(proposal);
        Assert.Null((await world.ClientService<IApprovalNotifier>().SendProposalAsync(proposal, SampleProposals.Policy(DingTalkWorld.Group), CancellationToken.None)).Error);
        return world;
    }

    [Fact]
    public async Task Start_HttpMode_RegistersTheCallbackRouteWithSecret()
    {
        await using var world = await WorldWithCardAsync();

        var info = JsonDocument.Parse(await world.Script.GetStringAsync("info")).RootElement;
        var route = Assert.Single(info.GetProperty("callbackRoutes").EnumerateArray());

        Assert.Equal("scalecontrol-tests", route.GetProperty("callbackRouteKey").GetString());
        Assert.Equal(world.ClientUrl + "/dingtalk/card-callback", route.GetProperty("callbackUrl").GetString());
        Assert.Equal("HTTP", (await world.CardAsync(OutTrackId)).GetProperty("callbackType").GetString());
    }

    [Fact]
    public async Task Tap_SignedHttpCallback_ApprovesAndUpdatesCard()
    {
        await using var world = await WorldWithCardAsync();

        var (_, body) = await world.TapAsync(OutTrackId, "zhangsan", "approve");

        Assert.Equal("Updated", body.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("applied", body.GetProperty("card").GetProperty("cardData").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tap_NonApproverOverHttp_PrivateMessageOnly()
    {
        await using var world = await WorldWithCardAsync();

        await world.TapAsync(OutTrackId, "wangwu", "reject");

        var card = await world.CardAsync(OutTrackId, "wangwu");
        Assert.Equal("pending", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("you are not an approver for shop/checkout-api", card.GetProperty("userPrivateData").GetProperty("privateMessage").GetString());
    }

    [Fact]
    public async Task Post_Unsigned_Rejected() => await AssertRejectedAsync(timestamp: null, signature: null);

    [Fact]
    public async Task Post_ForgedSignature_Rejected()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await AssertRejectedAsync(now, DingTalkSignatures.CardCallback("guessed-secret", now));
    }

    [Fact]
    public async Task Post_StaleButCorrectlySigned_Rejected()
    {
        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await AssertRejectedAsync(hourAgo, DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, hourAgo));
    }

    [Fact]
    public async Task Post_FreshCorrectlySigned_Accepted()
    {
        await using var world = await WorldWithCardAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        using var response = await PostAsync(world, now, DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, now));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("Recorded", reply.GetProperty("userPrivateData").GetProperty("cardParamMap").GetProperty("privateMessage").GetString());
        Assert.Single(world.Inbox.Commands);
    }

    [Fact]
    public async Task Post_TheSameSignedRequestAgain_RefusedAsAReplay()
    {
        await using var world = await WorldWithCardAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, now);
        using var first = await PostAsync(world, now, signature);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // Captured and sent again, body and all (an "Approve all" replayed later would approve rows added since).
        using var replayed = await PostAsync(world, now, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Single(world.Inbox.Commands);
    }

    [Fact]
    public async Task Post_TheSameSignedRequestToAnotherReplica_RefusedThereToo()
    {
        // Two replicas behind one Service, sharing the cluster's ledger (in the cluster: EventCallbackReplayLedger).
        var ledger = new SharedLedger();
        await using var first = await WorldWithCardAsync(ledger);
        await using var second = await WorldWithCardAsync(ledger);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var signature = DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, now);
        using var genuine = await PostAsync(first, now, signature);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);

        // Captured and sent to the other pod, which has never seen it: with a body of the attacker's choosing.
        using var replayed = await PostAsync(second, now, signature, Payload.Replace("zhangsan", "lisi", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Empty(second.Inbox.Commands);
        Assert.Equal(ProposalPhase.Pending, second.Inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    [Fact]
    public async Task Post_ReplicasLedgerUnreachable_RefusedNothingDecided()
    {
        await using var world = await WorldWithCardAsync(new SharedLedger { Unreachable = true });
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        using var response = await PostAsync(world, now, DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, now));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(world.Inbox.Commands);
    }

    [Fact]
    public async Task Post_SignedButParamsGivenTwice_RefusedWith400NothingDecided()
    {
        await using var world = await WorldWithCardAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var body = Payload.Replace("""\"action\":\"approve\"}""", """\"action\":\"reject\",\"action\":\"approve\"}""", StringComparison.Ordinal);
        Assert.NotEqual(Payload, body);

        using var response = await PostAsync(world, now, DingTalkSignatures.CardCallback(DingTalkWorld.CallbackSecret, now), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(world.Inbox.Commands);
        Assert.Equal(ProposalPhase.Pending, world.Inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    private static async Task AssertRejectedAsync(string? timestamp, string? signature)
    {
        await using var world = await WorldWithCardAsync();

        using var response = await PostAsync(world, timestamp, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(world.Inbox.Commands);
        Assert.Equal(ProposalPhase.Pending, world.Inbox.Get("shop", "checkout-api-7f3a").Status.Phase);
    }

    private static async Task<HttpResponseMessage> PostAsync(DingTalkWorld world, string? timestamp, string? signature, string body = Payload)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, world.ClientUrl + "/dingtalk/card-callback")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (timestamp is not null)
        {
            request.Headers.Add(CardCallbackSignatureVerifier.TimestampHeader, timestamp);
        }

        if (signature is not null)
        {
            request.Headers.Add(CardCallbackSignatureVerifier.SignatureHeader, signature);
        }

        return await http.SendAsync(request);
    }

    /// <summary>The replicas' ledger as the cluster keeps it: the first claim of a key wins, on whichever replica.</summary>
    private sealed class SharedLedger : ICallbackReplayLedger
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _claimed = new(StringComparer.Ordinal);

        public bool Unreachable { get; init; }

        public Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken) =>
            Unreachable ? throw new HttpRequestException("connection refused") : Task.FromResult(_claimed.TryAdd(key, true));
    }
}
