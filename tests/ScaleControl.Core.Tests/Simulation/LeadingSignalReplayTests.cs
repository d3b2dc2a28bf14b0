using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Core.Tests.Simulation;

/// <summary>The push-driven trace on the shared pipeline: the leading signal puts capacity in place before the opens arrive.</summary>
public class LeadingSignalReplayTests
{
    private static readonly ReplaySettings s_settings = new() { Seeds = 3 };

    private static string Sample(params string[] parts) => Path.Combine([TestPolicies.RepoRoot(), "samples", .. parts]);

    [Fact]
    public void Replay_PushTrace_SignalCutsShortfallToAFifthOfTheHpasAndBeatsTheEngineWithoutIt()
    {
        var policy = PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")));
        var trace = TrafficTrace.Load(Sample("traces", "push-30m-users.csv"));
        var plain = policy with { Spec = policy.Spec with { LeadingSignal = null } };
        var entries = ReplaySuite.StandardEntries(policy, s_settings);
        entries.Add(new ReplayEntry("plain", _ => new EngineController(plain, s_settings.StartupSeconds)));

        var report = ReplaySuite.Run(trace, entries, s_settings);

        Assert.Contains("push", trace.SeriesNames);
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.ShortfallPodSeconds) <= 0.2);
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, "plain", r => r.ShortfallPodSeconds) < 0.5);
        Assert.True(report.Median(ReplaySuite.ScaleControl, r => r.TimeToCapacitySeconds!.Value) < report.Median("plain", r => r.TimeToCapacitySeconds!.Value));
    }
}
