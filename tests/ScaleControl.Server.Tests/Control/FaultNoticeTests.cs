using ScaleControl.Core.Faults;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Control;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>The fault loop closes by itself: one living notice per dependency fault, on a fake clock, tick by tick.</summary>
public sealed class FaultNoticeTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task PrometheusDownFor7m12s_OneNoticeDinged_UpdatedInPlace_ResolvedWithItsDuration_NoScale()
    {
        await GivenAutoPolicyEvery(seconds: 4, replicas: 6, qps: 600);
        _server.Metrics.Down = "Get \"http://prometheus:9090/api/v1/query\": connection refused";
        await Tick(); // first failure seen at t = 0

        var ticks = 0;
        for (var t = 4; t < 432; t += 4, ticks++)
        {
            await Tick(4);
        }

        _server.Metrics.Down = null; // first success seen at t = 432 s = 7m12s
        for (var t = 0; t <= 40; t += 4, ticks++)
        {
            await Tick(4);
        }

        var shown = _server.Faults.Shown.Where(s => s.Notice.Dependency == FaultNotices.Prometheus).ToList();
        Assert.True(shown.Count <= 9, $"{shown.Count} notices shown for {ticks} ticks: one living notice, not one per tick");
        Assert.All(shown, s => Assert.Equal(shown[0].Notice.Since, s.Notice.Since)); // the same notice throughout
        Assert.True(shown[0].Ding);
        Assert.All(shown.Skip(1), s => Assert.False(s.Ding));
        Assert.Contains("connection refused", shown[0].Notice.Problem);
        Assert.All(shown[..^1], s => Assert.False(s.Notice.Resolved));
        var resolved = shown[^1].Notice;
        Assert.True(resolved.Resolved);
        Assert.Equal("7m12s", FaultNotice.Format(resolved.Duration));
        Assert.Empty(_server.Workloads.Writes); // fail static: nothing scaled on missing data
        Assert.DoesNotContain(_server.Faults.Shown, s => s.Notice.Dependency == FaultNotices.Kubernetes);
    }

    [Fact]
    public async Task NoticeCouldNotBeShown_ShownOnTheNextObservation_StillDinged()
    {
        await GivenAutoPolicyEvery(seconds: 4, replicas: 6, qps: 600);
        _server.Metrics.Down = "HTTP 503";
        _server.Faults.Reachable = false;
        for (var t = 0; t <= 36; t += 4)
        {
            await Tick(t == 0 ? 0 : 4);
        }

        Assert.Empty(_server.Faults.Shown);
        _server.Faults.Reachable = true;
        await Tick(4);

        var (notice, ding) = Assert.Single(_server.Faults.Shown);
        Assert.True(ding);
        Assert.Equal("40s", FaultNotice.Format(notice.Duration));
    }

    [Fact]
    public async Task DingTalkFailing_ItsNoticeIsNotTriedThroughAFailingCall_ShownWithItsDingOnceACallIsAnswered()
    {
        // Storm walkthrough (DingTalk degraded): each failed card call tried to show DingTalk's notice through DingTalk,
        // a second failing call (~4 s of retries) in the tick.
        var faults = _server.Service<FaultNotices>();
        _server.Faults.Reachable = false;
        for (var t = 0; t <= 60; t += 4)
        {
            _server.Time.Advance(TimeSpan.FromSeconds(t == 0 ? 0 : 4));
            await faults.ObserveAsync(FaultNotices.DingTalk, "card send failed: DingTalk API error 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", default);
        }

        Assert.Equal(0, _server.Faults.Attempts);
        _server.Faults.Reachable = true;
        _server.Time.Advance(TimeSpan.FromSeconds(4));
        await faults.ObserveAsync(FaultNotices.DingTalk, null, default);

        var (notice, ding) = Assert.Single(_server.Faults.Shown);
        Assert.True(ding);
        Assert.Equal(FaultNotices.DingTalk, notice.Dependency);
        Assert.False(notice.Resolved);
    }

    [Fact]
    public async Task DingTalkBack_NoCardCallAfterwards_ItsNoticeResolvesOnTheLoopsTicks()
    {
        // Live: after the outage every card was up to date, nothing more was sent to DingTalk, and its notice said
        // "DingTalk failing · ongoing for 1m24s" for good.
        var faults = _server.Service<FaultNotices>();
        for (var t = 0; t <= 60; t += 4)
        {
            _server.Time.Advance(TimeSpan.FromSeconds(t == 0 ? 0 : 4));
            await faults.ObserveAsync(FaultNotices.DingTalk, "card update failed: DingTalk API error 500 system.busy", default);
        }

        _server.Time.Advance(TimeSpan.FromSeconds(4));
        await faults.ObserveAsync(FaultNotices.DingTalk, null, default); // the last card call, answered
        for (var t = 0; t < 40; t += 4)
        {
            await Tick(4);
        }

        var last = _server.Faults.Shown.Last(s => s.Notice.Dependency == FaultNotices.DingTalk).Notice;
        Assert.True(last.Resolved);
        Assert.Equal("1m04s", FaultNotice.Format(last.Duration));
    }

    [Fact]
    public async Task KubernetesApiFailingForTwoMinutes_OneNotice_ResolvedAfter2m00s()
    {
        await GivenAutoPolicyEvery(seconds: 4, replicas: 6, qps: 600);
        _server.Workloads.ApiDown = "connection refused (kube-apiserver:6443)";
        await Tick();
        for (var t = 4; t < 120; t += 4)
        {
            await Tick(4);
        }

        _server.Workloads.ApiDown = null;
        for (var t = 0; t <= 40; t += 4)
        {
            await Tick(4);
        }

        var shown = _server.Faults.Shown.Where(s => s.Notice.Dependency == FaultNotices.Kubernetes).ToList();
        Assert.Equal(3, shown.Count); // opened at 30 s, updated at 90 s, resolved
        Assert.Contains("kube-apiserver", shown[0].Notice.Problem);
        Assert.Equal("2m00s", FaultNotice.Format(shown[^1].Notice.Duration));
        Assert.True(shown[^1].Notice.Resolved);
        Assert.Empty(_server.Workloads.Writes);
    }

    [Fact]
    public async Task ABlipOfTenSeconds_NoNotice()
    {
        await GivenAutoPolicyEvery(seconds: 4, replicas: 6, qps: 600);
        await Tick();
        _server.Metrics.Down = "timeout";
        await Tick(4);
        await Tick(4);
        _server.Metrics.Down = null;
        for (var i = 0; i < 20; i++)
        {
            await Tick(4);
        }

        Assert.Empty(_server.Faults.Shown);
    }

    private async Task GivenAutoPolicyEvery(int seconds, int replicas, double qps)
    {
        var policy = TestPolicies.Auto() with { Spec = TestPolicies.Auto().Spec with { EvaluationIntervalSeconds = seconds } };
        _server.Workloads.Add(policy.Metadata.Namespace, policy.Spec.Target.Name, replicas);
        await _server.Policies.UpsertAsync(policy, default);
        _server.Metrics.Set(TestPolicies.Query(policy.Spec.Target.Name), qps);
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
