using System.Net;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Emulator;

public class AccessTokenTests
{
    private const string TokenPath = "/v1.0/oauth2/accessToken";

    private static Task<DingTalkWorld> StartAsync(FakeTimeProvider emulatorTime, FakeTimeProvider clientTime, Dictionary<string, string?>? settings = null) =>
        DingTalkWorld.StartAsync(
            o => o.StreamPingInterval = TimeSpan.Zero,
            clientSettings: new Dictionary<string, string?>(settings ?? []) { ["ScaleControl:DingTalk:CallbackMode"] = "Http", ["ScaleControl:DingTalk:CallbackRouteKey"] = "k", ["ScaleControl:DingTalk:CallbackApiSecret"] = "s" },
            emulatorTime: emulatorTime,
            clientTime: clientTime);

    [Fact]
    public async Task GetTokenAsync_WithinValidity_CachedThenRefreshedBeforeExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await StartAsync(time, time);
        var tokens = world.ClientService<DingTalkAccessTokenProvider>();
        var group = new GroupMessageRequest("sampleText", """{"content":"hi"}""", DingTalkWorld.Group, DingTalkWorld.AppKey);

        await tokens.GetTokenAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(6800));
        await world.ClientService<DingTalkApiClient>().SendGroupMessageAsync(group, CancellationToken.None);
        var fetchesBeforeRefreshPoint = world.Requests.Count(TokenPath);

        time.Advance(TimeSpan.FromSeconds(200)); // 7000 s: inside the 5-minute margin of the 7200 s token
        await world.ClientService<DingTalkApiClient>().SendGroupMessageAsync(group, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(7000)); // past the first token's original expiry
        await world.ClientService<DingTalkApiClient>().SendGroupMessageAsync(group, CancellationToken.None);

        Assert.Equal(1, fetchesBeforeRefreshPoint);
        Assert.Equal(3, world.Requests.Count(TokenPath));
        Assert.DoesNotContain(world.Requests.Attempts, a => a.Status != HttpStatusCode.OK);
    }

    [Fact]
    public async Task ApiCall_TokenExpiredOnDingTalksClock_DroppedRefetchedAndRetriedOnce()
    {
        var emulatorTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clientTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await StartAsync(emulatorTime, clientTime);
        await world.ClientService<DingTalkAccessTokenProvider>().GetTokenAsync(CancellationToken.None);

        emulatorTime.Advance(TimeSpan.FromSeconds(7300));
        var key = await world.ClientService<DingTalkApiClient>().SendGroupMessageAsync(
            new GroupMessageRequest("sampleText", """{"content":"hi"}""", DingTalkWorld.Group, DingTalkWorld.AppKey), CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(key));
        Assert.Equal(2, world.Requests.Count(TokenPath));
        Assert.Equal(
            [HttpStatusCode.BadRequest, HttpStatusCode.OK],
            world.Requests.Attempts.Where(a => a.Path.EndsWith("/groupMessages/send", StringComparison.Ordinal)).Select(a => a.Status));
    }

    [Fact]
    public async Task GetTokenAsync_ManyConcurrentCallers_OneFetch()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await StartAsync(time, time);
        var tokens = world.ClientService<DingTalkAccessTokenProvider>();

        var all = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => tokens.GetTokenAsync(CancellationToken.None).AsTask()));

        Assert.Single(all.Distinct());
        Assert.Equal(1, world.Requests.Count(TokenPath));
    }

    [Fact]
    public async Task GetTokenAsync_WrongSecret_TypedErrorWithoutRetry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = await StartAsync(time, time, new() { ["ScaleControl:DingTalk:AppSecret"] = "wrong" });

        var error = await Assert.ThrowsAsync<DingTalkApiException>(() => world.ClientService<DingTalkAccessTokenProvider>().GetTokenAsync(CancellationToken.None).AsTask());

        Assert.Equal("invalidClientIdOrSecret", error.Code);
        Assert.DoesNotContain("wrong", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, world.Requests.Count(TokenPath));
    }
}
