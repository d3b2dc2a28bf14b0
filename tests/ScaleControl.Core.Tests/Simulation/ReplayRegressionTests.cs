using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Core.Tests.Simulation;

/// <summary>A regression guard on the replay benchmark (not a timing test): the shipped policy must beat the HPA baseline.</summary>
public class ReplayRegressionTests
{
    private static string Sample(params string[] parts) => Path.Combine([TestPolicies.RepoRoot(), "samples", .. parts]);

    [Fact]
    public void Replay_FourXSpike_ScaleControlBeatsHpaBaseline()
    {
        var trace = TrafficTrace.Load(Sample("traces", "spike-4x-2min.csv"));
        var policy = PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")));

        var c = ReplayComparison.Run(trace, policy, new ReplaySettings());

        Assert.True(c.ShortfallRatio <= 0.5, $"shortfall {c.ScaleControl.ShortfallPodSeconds:0} vs HPA {c.Hpa.ShortfallPodSeconds:0}");
        Assert.True(c.OverProvisionRatio <= 1.3, $"over-provisioning {c.ScaleControl.OverProvisionPodSeconds:0} vs HPA {c.Hpa.OverProvisionPodSeconds:0}");
        Assert.True(c.ScaleControl.TimeToCapacitySeconds < c.Hpa.TimeToCapacitySeconds);
    }

    [Fact]
    public void Replay_HpaBaseline_DoublesAtMostPerSyncPeriod()
    {
        var trace = new TrafficTrace("step", [(0, 5_000), (1, 100_000), (600, 100_000)], spikeStartSeconds: 1, isQuiet: false);
        var replicas = new List<int>();

        ReplayRunner.Run(trace, new HpaBaseline(500, 1, 1000), new ReplaySettings(), (t, spec, _) => { if (t % 15 == 0) { replicas.Add(spec); } });

        for (var i = 1; i < replicas.Count; i++)
        {
            Assert.True(replicas[i] <= Math.Max(replicas[i - 1] + 4, replicas[i - 1] * 2), $"{replicas[i - 1]} → {replicas[i]}");
        }

        Assert.Equal(200, replicas[^1]);
    }

    [Fact]
    public void Trace_Load_InterpolatesAndReadsMetadata()
    {
        var trace = TrafficTrace.Load(Sample("traces", "spike-4x-2min.csv"));

        Assert.Equal(600, trace.SpikeStartSeconds);
        Assert.False(trace.IsQuiet);
        Assert.InRange(trace.QpsAt(2.5), Math.Min(trace.QpsAt(0), trace.QpsAt(5)), Math.Max(trace.QpsAt(0), trace.QpsAt(5)));
        Assert.True(TrafficTrace.Load(Sample("traces", "quiet-day.csv")).IsQuiet);
    }
}
