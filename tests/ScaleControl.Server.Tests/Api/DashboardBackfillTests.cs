using System.Net;
using System.Text.Json;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// A replica that takes over (a restart, a leader change) shows the charts' last half hour from the first page load:
/// the traffic as Prometheus recorded it and the replicas the applied ScaleProposals left, marked as filled in, then
/// its own evaluations. Over real HTTP (Kestrel), with the fake clock.
/// </summary>
public sealed class DashboardBackfillTests : IDisposable
{
    private const string Ns = "video";
    private const string Name = "video-transcoder";

    private readonly ServerFactory _server = new();
    private ServerFactory? _restarted;

    public void Dispose()
    {
        _restarted?.Dispose();
        _server.Dispose();
    }

    private static string Query => TestPolicies.Query(Name);

    [Fact]
    public async Task Restart_DashboardShowsTheLastHalfHourFilledIn_ThenItsOwnEvaluations()
    {
        // The first server scales 4 → 6 at 10:00 (600 QPS, 100 a pod); it dies 20 minutes later.
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Workloads.Add(Ns, Name, 4);
        _server.Metrics.Set(Query, 600);
        await _server.Service<Reconciler>().TickAsync(default);
        Assert.Equal(6, _server.Workloads.Replicas(Ns, Name));
        var scaledAt = _server.Time.GetUtcNow();

        var next = Restart(TimeSpan.FromMinutes(20));
        var now = next.Time.GetUtcNow();
        static double Qps(DateTimeOffset t) => 500 + t.Minute; // a value each minute: the chart is Prometheus' record
        next.Metrics.SetHistory(Query, Qps);
        next.Metrics.Set(Query, 560);
        await next.Service<Reconciler>().TickAsync(default);

        var points = await PointsAsync(next);

        // 30 minutes (360 evaluations at 5 s) at Prometheus' 15 s step, up to the first evaluation.
        var past = points.Where(p => Backfilled(p)).ToList();
        Assert.Equal(120, past.Count);
        Assert.Equal(now.AddMinutes(-30), past[0].GetProperty("time").GetDateTimeOffset());
        Assert.Equal(now.AddSeconds(-15), past[^1].GetProperty("time").GetDateTimeOffset());
        Assert.All(past, p => Assert.Equal(Qps(p.GetProperty("time").GetDateTimeOffset()), p.GetProperty("value").GetDouble()));
        // Replicas: a step line from the applied change; nothing made up about what was predicted, desired or ready.
        Assert.All(past, p => Assert.Equal(p.GetProperty("time").GetDateTimeOffset() < scaledAt ? 4 : 6, p.GetProperty("current").GetInt32()));
        Assert.All(past, p => Assert.Equal(
            (JsonValueKind.Null, JsonValueKind.Null, JsonValueKind.Null),
            (p.GetProperty("predicted").ValueKind, p.GetProperty("desired").ValueKind, p.GetProperty("ready").ValueKind)));

        // Then the loop's own evaluation, after the past, unmarked and whole.
        Assert.Equal(past.Count + 1, points.Count);
        Assert.Equal(past.Count, points.TakeWhile(Backfilled).Count());
        var live = points[^1];
        Assert.False(live.TryGetProperty("backfilled", out _));
        Assert.Equal((now, 560.0, 6, 6), (live.GetProperty("time").GetDateTimeOffset(), live.GetProperty("value").GetDouble(), live.GetProperty("current").GetInt32(), live.GetProperty("desired").GetInt32()));

        // The decision history's own range query is the one it always was (10 minutes, 15 s); the charts ask their own after it.
        Assert.Equal(
            [(Query, now.AddMinutes(-10), now, TimeSpan.FromSeconds(15)), (Query, now.AddMinutes(-30), now, TimeSpan.FromSeconds(15))],
            next.Metrics.RangeCalls);
        Assert.Contains(next.Logs.Lines, l => l.Contains("40 metric samples from Prometheus, 1 applied changes from ScaleProposals, 120 dashboard samples", StringComparison.Ordinal));

        // Later polls: the next evaluations follow; nothing is filled in again while the loop watches.
        next.Time.Advance(TimeSpan.FromSeconds(5));
        await next.Service<Reconciler>().TickAsync(default);
        points = await PointsAsync(next);
        Assert.Equal(119, points.Count(p => Backfilled(p))); // the window moved on 5 s: its oldest sample left it
        Assert.Equal(2, points.Count(p => !Backfilled(p)));
        Assert.Equal(2, next.Metrics.RangeCalls.Count);
    }

    [Fact]
    public async Task Restart_PrometheusRefusesTheRange_ChartsStartFromTheFirstEvaluationAsBefore()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Workloads.Add(Ns, Name, 4);
        var next = Restart(TimeSpan.FromMinutes(20));
        next.Metrics.FailRange(Query, new MetricQueryException(MetricStatus.Unavailable, "connection refused"));
        next.Metrics.Set(Query, 400);

        await next.Service<Reconciler>().TickAsync(default);
        var points = await PointsAsync(next);

        var only = Assert.Single(points);
        Assert.False(only.TryGetProperty("backfilled", out _));
        Assert.Equal(4, only.GetProperty("current").GetInt32());
        Assert.Contains(next.Logs.Lines, l => l.Contains("0 dashboard samples; without Prometheus' past for some: connection refused", StringComparison.Ordinal));
    }

    private ServerFactory Restart(TimeSpan later)
    {
        _server.Time.Advance(later);
        _restarted = _server.Restarted();
        _restarted.Settings["urls"] = "http://127.0.0.1:0";
        _restarted.UseKestrel();
        _restarted.StartServer();
        return _restarted;
    }

    private static bool Backfilled(JsonElement point) => point.TryGetProperty("backfilled", out var flag) && flag.GetBoolean();

    private static async Task<List<JsonElement>> PointsAsync(ServerFactory server)
    {
        using var client = server.ClientWith(ServerFactory.ViewerToken);
        using var response = await client.GetAsync("/api/v1/dashboard?minutes=30");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var series = (await response.ReadJson()).GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString() == Name);
        return [.. series.GetProperty("points").EnumerateArray()];
    }
}
