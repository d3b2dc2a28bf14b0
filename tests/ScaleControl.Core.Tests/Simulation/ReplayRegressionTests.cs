using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Core.Tests.Simulation;

/// <summary>A regression guard on the replay benchmark (not a timing test): the shipped policy against the HPA on the shared pipeline.</summary>
public class ReplayRegressionTests
{
    private static readonly ReplaySettings s_settings = new() { Seeds = 3 };

    private static string Sample(params string[] parts) => Path.Combine([TestPolicies.RepoRoot(), "samples", .. parts]);

    private static TraceReport Replay(params string[] trace)
    {
        var policy = PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")));
        return ReplaySuite.Run(TrafficTrace.Load(Sample(["traces", .. trace])), ReplaySuite.StandardEntries(policy, s_settings), s_settings);
    }

    [Fact]
    public void Replay_FourXSpike_ScaleControlBeatsHpaBaseline()
    {
        var report = Replay("spike-4x-2min.csv");

        // What the engine achieves on the fair pipeline today (docs/performance.md): the goals of 0.6x / 1.1x are not met.
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.ShortfallPodSeconds) <= 0.85);
        // A prediction that overshoots the plateau is released, not held by the down band (was 1.75x before).
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.OverProvisionPodSeconds) <= 1.3);
        Assert.True(report.Worst(ReplaySuite.ScaleControl, r => r.PeakReplicas / r.PeakDemandPods) <= 1.3);
        Assert.True(report.Median(ReplaySuite.ScaleControl, r => r.TimeToCapacitySeconds!.Value) < report.Median(ReplaySuite.Hpa, r => r.TimeToCapacitySeconds!.Value));
    }

    [Fact]
    public void Replay_RealStep_IsNotOvershot()
    {
        var report = Replay("real", "twitter-burst-day13.csv");

        Assert.True(report.Worst(ReplaySuite.ScaleControl, r => r.PeakReplicas / r.PeakDemandPods) <= 1.3);
    }

    [Fact]
    public void Replay_SameSeed_SameArrivalsForEveryController()
    {
        var trace = TrafficTrace.Load(Sample("traces", "spike-4x-2min.csv"));
        var a = new MetricPipeline(trace, s_settings, seed: 5);
        var b = new MetricPipeline(trace, s_settings, seed: 5);

        Assert.Equal(a.ArrivalsAt(700), b.ArrivalsAt(700));
        Assert.Equal(a.Observe(700).Value, b.Observe(700).Value);
        Assert.NotEqual(a.ArrivalsAt(700), new MetricPipeline(trace, s_settings, seed: 6).ArrivalsAt(700));
    }

    [Fact]
    public void ReplayPolicy_LoadsTheChangeBudgetAndPredictionDefaults()
    {
        var policy = PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")));

        Assert.Equal(3, policy.Spec.Behavior.ChangeBudget);
        Assert.Equal(1.25, policy.Spec.Prediction.MaxGrowthFactor);
        Assert.Equal(2, PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")).Replace("  behavior:\n", "  behavior:\n    changeBudget: 2\n", StringComparison.Ordinal)).Spec.Behavior.ChangeBudget);
    }

    [Fact]
    public void Replay_HpaBaseline_DoublesAtMostPerSyncPeriod()
    {
        var trace = new TrafficTrace("step", [(0, 5_000), (1, 100_000), (600, 100_000)], spikeStartSeconds: 1, isQuiet: false);
        var replicas = new List<int>();

        ReplayRunner.Run(trace, new HpaBaseline(500, 1, 1000), new ReplaySettings(), seed: 1, (t, spec, _) => { if (t % 15 == 1) { replicas.Add(spec); } });

        for (var i = 1; i < replicas.Count; i++)
        {
            Assert.True(replicas[i] <= Math.Max(replicas[i - 1] + 4, replicas[i - 1] * 2), $"{replicas[i - 1]} → {replicas[i]}");
        }

        Assert.InRange(replicas[^1], 199, 201);
    }

    [Fact]
    public void Replay_OracleNow_OnAStep_StillWaitsForStartup_WhileTheForesightOracleDoesNot()
    {
        // 10 → 50 pods at once at 600 s: knowing the demand of this second is not enough, pods take ~45 s.
        var trace = new TrafficTrace("step", [(0, 5_000), (599, 5_000), (600, 25_000), (1_500, 25_000)], spikeStartSeconds: 600, isQuiet: false);
        var settings = new ReplaySettings();

        var now = ReplayRunner.Run(trace, new OracleController(settings, 1, 500, 300, foresight: false), settings, seed: 1);
        var ahead = ReplayRunner.Run(trace, new OracleController(settings, 1, 500, 300), settings, seed: 1);

        Assert.InRange(now.ShortfallPodSeconds, 40 * 30, 40 * 70); // ~40 pods short for about a start-up
        Assert.True(ahead.ShortfallPodSeconds < 100, $"{ahead.ShortfallPodSeconds}");
        Assert.Equal("Oracle now", new OracleController(settings, 1, 500, 300, foresight: false).Name);
    }

    [Fact]
    public void Trace_Load_InterpolatesAndReadsMetadata()
    {
        var trace = TrafficTrace.Load(Sample("traces", "spike-4x-2min.csv"));

        Assert.Equal(600, trace.SpikeStartSeconds);
        Assert.False(trace.IsQuiet);
        Assert.InRange(trace.QpsAt(2.5), Math.Min(trace.QpsAt(0), trace.QpsAt(5)), Math.Max(trace.QpsAt(0), trace.QpsAt(5)));
        Assert.True(TrafficTrace.Load(Sample("traces", "quiet-day.csv")).IsQuiet);
        Assert.True(TrafficTrace.Load(Sample("traces", "real", "wc98-quiet-day-may.csv")).IsQuiet);
    }
}
