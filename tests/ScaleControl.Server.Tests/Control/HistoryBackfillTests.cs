using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A loop that was not watching (a new leader, a restart) starts from the past: the metric's recent samples from
/// Prometheus and the changes applied meanwhile from the ScaleProposals, not from nothing.
/// </summary>
public sealed class HistoryBackfillTests : IDisposable
{
    private const string Ns = "video";
    private const string Name = "video-transcoder";

    private readonly ServerFactory _server = new();
    private readonly List<ServerFactory> _restarted = [];

    public void Dispose()
    {
        _restarted.ForEach(s => s.Dispose());
        _server.Dispose();
    }

    private static string Query => TestPolicies.Query(Name);

    [Fact]
    public async Task FirstTick_PastRisesBeyondItsNoise_PredictsOnTheFirstEvaluation()
    {
        await _server.Policies.UpsertAsync(Predicting(), default);
        _server.Workloads.Add(Ns, Name, 6);
        // Eight minutes calm around 400 QPS (±0.5 % a scrape), then 5 % a scrape for two: a rise well beyond the
        // noise the series has shown, now at 591 QPS (6 pods of 100).
        var now = _server.Time.GetUtcNow();
        double Qps(DateTimeOffset t)
        {
            var scrapes = (int)Math.Round((t - now).TotalSeconds / 15);
            return scrapes <= -8 ? 400 * (scrapes % 2 == 0 ? 1.005 : 0.995) : 400 * Math.Pow(1.05, scrapes + 8);
        }

        _server.Metrics.SetHistory(Query, Qps);
        _server.Metrics.Set(Query, Qps(now));

        await Tick();

        var status = (await _server.Policies.GetAsync(Ns, Name, default))!.Status!;
        Assert.True(status.LastReason?.Contains("predicted", StringComparison.Ordinal), status.LastReason);
        Assert.True(_server.Workloads.Replicas(Ns, Name) > 6, $"scaled ahead of the rise: {status.LastReason}");
        Assert.Contains(_server.Logs.Lines, l => l.Contains("History of 1 policies the loop was not watching filled in: 40 metric samples", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstTick_PrometheusRefusesTheRange_DecidesOnTheReadingAloneAndSaysWhy()
    {
        await _server.Policies.UpsertAsync(Predicting(), default);
        _server.Workloads.Add(Ns, Name, 6);
        _server.Metrics.FailRange(Query, new MetricQueryException(MetricStatus.Unavailable, "connection refused"));
        _server.Metrics.Set(Query, 600);

        await Tick();

        var status = (await _server.Policies.GetAsync(Ns, Name, default))!.Status!;
        Assert.DoesNotContain("predicted", status.LastReason, StringComparison.Ordinal);
        Assert.Equal(6, _server.Workloads.Replicas(Ns, Name));
        Assert.Contains(_server.Logs.Lines, l => l.Contains("0 metric samples", StringComparison.Ordinal) && l.Contains("connection refused", StringComparison.Ordinal));

        // Once per gap: the next ticks do not ask again.
        await Tick(seconds: 5);
        Assert.Single(_server.Logs.Lines, l => l.Contains("History of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_InsideTheScaleUpCooldown_HoldsAsTheFirstServerWould()
    {
        var policy = TestPolicies.Auto() with
        {
            Spec = TestPolicies.Auto().Spec with
            {
                Behavior = TestPolicies.Auto().Spec.Behavior with { ScaleUp = TestPolicies.Auto().Spec.Behavior.ScaleUp with { CooldownSeconds = 120 } },
            },
        };
        await _server.Policies.UpsertAsync(policy, default);
        _server.Workloads.Add(Ns, Name, 4);
        _server.Metrics.Set(Query, 800);
        await Tick();
        Assert.Equal(8, _server.Workloads.Replicas(Ns, Name));

        // The replica dies; another takes over 20 s later, with traffic up again.
        var next = _server.Restarted();
        _restarted.Add(next);
        next.Time.Advance(TimeSpan.FromSeconds(20));
        next.Metrics.Set(Query, 1200);
        await next.Service<Reconciler>().TickAsync(default);

        Assert.Equal(8, next.Workloads.Replicas(Ns, Name));
        var status = (await next.Policies.GetAsync(Ns, Name, default))!.Status!;
        Assert.Contains("cooling down", status.LastReason, StringComparison.Ordinal);
        Assert.Contains(next.Logs.Lines, l => l.Contains("1 applied changes from ScaleProposals", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WatchingLoop_IsNotFilledAgain_ButALeaseGapIs()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Workloads.Add(Ns, Name, 4);
        _server.Metrics.Set(Query, 400);
        await Tick();
        await Tick(seconds: 20);
        Assert.Single(_server.Logs.Lines, l => l.Contains("History of", StringComparison.Ordinal));

        await Tick(seconds: 120); // the lease was elsewhere for two minutes
        Assert.Equal(2, _server.Logs.Lines.Count(l => l.Contains("History of", StringComparison.Ordinal)));
    }

    private static ScalePolicy Predicting() => TestPolicies.Auto() with
    {
        Spec = TestPolicies.Auto().Spec with
        {
            EvaluationIntervalSeconds = 5,
            Prediction = new PredictionSpec { Enabled = true, LookAheadSeconds = 60, LookBackSeconds = 120, MaxGrowthFactor = 1.25 },
        },
    };

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
