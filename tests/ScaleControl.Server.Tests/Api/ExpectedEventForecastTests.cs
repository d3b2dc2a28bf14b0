using System.Net;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// <c>--expect 3x</c> over the API multiplies a forecast of the traffic at <c>at</c> (the demand at that time on a past
/// day, read with range queries), never less than what runs now, and every answer says which.
/// </summary>
public sealed class ExpectedEventForecastTests : IDisposable
{
    private const string Path = "/api/v1/policies/shop/checkout-api/expected-events";

    private static readonly string s_query = TestPolicies.Query("checkout-api");

    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    private DateTimeOffset Now => _server.Time.GetUtcNow();

    /// <summary>The clock reads 10:00Z; the push is at 16:00Z tonight.</summary>
    private DateTimeOffset Evening => Now.AddHours(6);

    [Fact]
    public async Task Prepare_ThreeTimesAtAnEveningPeak_MultipliesYesterdaysEveningDemand_NotTodaysPods()
    {
        // 12 pods at 1,200 QPS now; every evening 16:00–16:20 the service runs at 2,000 QPS (20 pods of 100).
        await GivenAsync(replicas: 12);
        _server.Metrics.SetHistory(s_query, t => t.TimeOfDay >= TimeSpan.FromHours(16) && t.TimeOfDay <= TimeSpan.FromHours(16.34) ? 2000 : 1200);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 3.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        const string Sizing = "floor 60 replicas (3x of 20: the demand 1 day before, at 2026-11-24 16:00Z; 12 running now)";
        Assert.StartsWith($"expected event event-20261125-1600 on shop/checkout-api: {Sizing} from ", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((60, 20, "the demand 1 day before, at 2026-11-24 16:00Z; 12 running now"),
            (body.GetProperty("event").GetProperty("replicas").GetInt32(), body.GetProperty("event").GetProperty("baseReplicas").GetInt32(), body.GetProperty("event").GetProperty("baseSource").GetString()));
        var stored = Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.ExpectedEvents);
        Assert.Equal((60, 20, "the demand 1 day before, at 2026-11-24 16:00Z; 12 running now"), (stored.Replicas, stored.BaseReplicas, stored.BaseSource));
        Assert.Contains(Sizing, Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.EventExpected).Markdown, StringComparison.Ordinal);
        // One range query per window and distinct metric, a point a minute: the event's 20 minutes a day and a week
        // before, and the hour before now today, a day and a week before (the levels, the same here: no change).
        var minute = TimeSpan.FromMinutes(1);
        Assert.Equal(
            [
                (s_query, Evening.AddDays(-1), Evening.AddDays(-1).AddMinutes(20), minute), (s_query, Evening.AddDays(-7), Evening.AddDays(-7).AddMinutes(20), minute),
                (s_query, Now.AddHours(-1), Now, minute), (s_query, Now.AddDays(-1).AddHours(-1), Now.AddDays(-1), minute), (s_query, Now.AddDays(-7).AddHours(-1), Now.AddDays(-7), minute),
            ],
            _server.Metrics.RangeCalls);
    }

    [Fact]
    public async Task Prepare_TrafficGrewSinceLastWeek_TheWeekOldEveningAtTodaysLevel()
    {
        // Today runs at 1,200 QPS, a week ago ran at 800 (and every evening at +800 above the day's level). Yesterday's
        // evening, 2,000, at today's level is 20 pods; a week ago's, 1,600, at 1.5x is 24: the higher counts.
        await GivenAsync(replicas: 12);
        var weekAgo = Now.AddDays(-6);
        _server.Metrics.SetHistory(s_query, t => (t < weekAgo ? 800 : 1200) + (t.TimeOfDay >= TimeSpan.FromHours(16) && t.TimeOfDay <= TimeSpan.FromHours(16.34) ? 800 : 0));
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 2.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 48 replicas (2x of 24: the demand 7 days before, at 2026-11-18 16:00Z x1.5 for today's level; 12 running now) from ",
            (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_PrometheusDown_MultipliesTodaysPodsAndSaysWhy()
    {
        await GivenAsync(replicas: 12);
        _server.Metrics.FailRange(s_query, new MetricQueryException(MetricStatus.Unavailable, "Prometheus unreachable at http://prometheus:9090/: Connection refused"));
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 3.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 36 replicas (3x of 12: 12 running now; no forecast: Prometheus unreachable at http://prometheus:9090/: Connection refused) from ",
            (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_PrometheusSilent_AnswersAfterTheTimeoutFromTodaysPods()
    {
        await GivenAsync(replicas: 12);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Metrics.SilentRange = asked;
        using var client = _server.ClientWith(ZhangsanToken);

        var call = client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 3.0, reason = "push" });
        await asked.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the reader is waiting on Prometheus
        Assert.False(call.IsCompleted);
        _server.Time.Advance(EventBaselineReader.Timeout);
        using var response = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 36 replicas (3x of 12: 12 running now; no forecast: no answer within 3 s) from ", (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_OnlyAPerPodAverage_DoesNotAskPrometheusAndSaysWhy()
    {
        var policy = TestPolicies.Approval();
        await GivenAsync(replicas: 12, policy with { Spec = policy.Spec with { Metrics = [policy.Spec.Metrics[0] with { TargetType = MetricTargetType.Average, Target = 0.6 }] } });
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 2.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 24 replicas (2x of 12: 12 running now; no forecast: the policy's metrics are per-pod averages", (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_server.Metrics.RangeCalls);
    }

    [Fact]
    public async Task Prepare_GivenInReplicas_ReadsNoForecast()
    {
        await GivenAsync(replicas: 12);
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, replicas = 40, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 40 replicas from ", (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_server.Metrics.RangeCalls);
    }

    [Fact]
    public async Task Prepare_WhilePinned_MultipliesWhatTheTrafficNeeds_NotThePinnedCount()
    {
        // 500 QPS needs 5 pods of 100; a pin holds 20 for the gala. 3x of the pinned 20 made a floor of 60.
        await GivenAsync(replicas: 5);
        using var client = _server.ClientWith(ZhangsanToken);
        using var pinned = await client.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 20, durationSeconds = 7200, reason = "gala" });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(20, _server.Workloads.Replicas("shop", "checkout-api"));

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 3.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.ReadJson();
        Assert.Contains("floor 15 replicas (3x of 5: 5 needed now (20 running, pinned); the demand 1 day before, at 2026-11-24 16:00Z, asked 5) from ",
            body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((15, 5), (body.GetProperty("event").GetProperty("replicas").GetInt32(), body.GetProperty("event").GetProperty("baseReplicas").GetInt32()));
    }

    [Fact]
    public async Task Prepare_WhileFrozen_MultipliesWhatTheTrafficNeeds()
    {
        await GivenAsync(replicas: 12);
        _server.Metrics.Set(s_query, 400); // the traffic fell to 4 pods' worth; the freeze keeps 12
        using var client = _server.ClientWith(ZhangsanToken);
        using var frozen = await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 7200, reason = "release" });
        Assert.Equal(HttpStatusCode.OK, frozen.StatusCode);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 2.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("floor 8 replicas (2x of 4: 4 needed now (12 running, frozen);", (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_WhilePinned_NoMeasurement_StaysAtThePinnedCountAndSaysWhy()
    {
        await GivenAsync(replicas: 5);
        using var client = _server.ClientWith(ZhangsanToken);
        using var pinned = await client.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 20, durationSeconds = 7200, reason = "gala" });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        _server.Metrics.Down = "Prometheus unreachable";
        _server.Metrics.FailRange(s_query, new MetricQueryException(MetricStatus.Unavailable, "Prometheus unreachable"));

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, multiplier = 3.0, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = (await response.ReadJson()).GetProperty("message").GetString();
        Assert.Contains("floor 60 replicas (3x of 20: 20 running now (pinned; no measured need: qps: unavailable (Prometheus unreachable)); no forecast: Prometheus unreachable) from ",
            message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_FloorBeyondTheClustersRoom_RecordedAndTheMessageSaysSo()
    {
        await GivenAsync(replicas: 12);
        _server.Workloads.Add("shop", "checkout-api", 12, requests: new PodResources(500, 1L << 30));
        _server.Cluster.Room = new ClusterRoom([new NodeRoom("n1", 8000, 32L << 30, 110, 7000, 0, 10)]); // 1 CPU free: 2 pods
        using var client = _server.ClientWith(ZhangsanToken);

        using var response = await client.PostJson(Path, new { at = Evening, durationSeconds = 1200, replicas = 20, reason = "push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("; room: only 2 of the 8 pods this floor adds fit on the nodes now; 6 would stay Pending (needs ~1 more node)",
            (await response.ReadJson()).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(20, Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", default))!.Spec.ExpectedEvents).Replicas);
    }

    private async Task GivenAsync(int replicas, ScalePolicy? policy = null)
    {
        policy ??= TestPolicies.Approval();
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { MaxReplicas = 100 } }, default);
        _server.Workloads.Add("shop", "checkout-api", replicas);
        _server.Metrics.Set(s_query, replicas * 100);
    }
}
