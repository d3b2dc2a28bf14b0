using System.Net;
using ScaleControl.Server.Api;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A viewer starting what-if replays faster than they finish: 40 at once stopped the control loop's ticks for 26 s and
/// grew the process by ~500 MB. Two run at once, one per caller; the next is refused with 429 and Retry-After, and a slot
/// freed is taken again.
/// </summary>
public sealed class ReplayLimitTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task WhatIf_TwoRunning_TheThirdIsRefusedWith429_AndAFreedSlotIsTakenAgain()
    {
        foreach (var name in new[] { "replay-a", "replay-b", "replay-c" })
        {
            await server.Policies.UpsertAsync(TestPolicies.Auto("video", name), default);
            server.Workloads.Add("video", name, 2);
            server.Metrics.Set(TestPolicies.Query(name), 200);
        }

        server.Metrics.SilentRange = new TaskCompletionSource(); // Prometheus takes its time: the replays stay running
        using var client = server.ClientWith(ViewerToken);
        using var other = server.ClientWith(AdminToken);
        using var third = server.ClientWith(ZhangsanToken);
        using var running = new CancellationTokenSource();
        var first = client.PostAsync("/api/v1/policies/video/replay-a/whatif", Json(), running.Token);
        Assert.True(await Patience.UntilAsync(() => server.Metrics.RangeCalls.Count >= 1, 10), "timed out waiting for the first replay to ask Prometheus");

        // One at a time per caller: the same viewer's second replay is refused though the server has room.
        using var again = await client.PostAsync("/api/v1/policies/video/replay-c/whatif", Json());
        var second = other.PostAsync("/api/v1/policies/video/replay-b/whatif", Json(), running.Token);
        Assert.True(await Patience.UntilAsync(() => server.Metrics.RangeCalls.Select(c => c.Query).Distinct().Count() >= 2, 10), "timed out waiting for both replays to ask Prometheus");

        using var refused = await third.PostAsync("/api/v1/policies/video/replay-c/whatif", Json());

        Assert.Equal(HttpStatusCode.TooManyRequests, again.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(ReadLimits.RetryAfterSeconds), refused.Headers.RetryAfter?.Delta);
        Assert.Contains("at most 2 what-if replays run at once on this server, 1 per caller", (await refused.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The two callers give up: their slots are free again.
        await running.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        server.Metrics.SilentRange = null;
        HttpStatusCode status = default;
        Assert.True(await Patience.UntilAsync(async () =>
        {
            using var freed = await third.PostAsync("/api/v1/policies/video/replay-c/whatif", Json());
            status = freed.StatusCode;
            return status != HttpStatusCode.TooManyRequests;
        }, 10), "timed out waiting for a freed slot");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static StringContent Json() => new("""{"fromSeconds":600,"stepSeconds":15}""", System.Text.Encoding.UTF8, "application/json");
}
