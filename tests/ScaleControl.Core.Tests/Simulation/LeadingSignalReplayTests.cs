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

    [Fact]
    public void Replay_SamePushThreeTimesConversionHalved_LearnsItAndCutsTheShortfall()
    {
        // 0.05 per push where 0.12 came: each push's opens teach the next (x1.41, then x1.87), carried in the status.
        var policy = PolicyYaml.Load(File.ReadAllText(Sample("policies", "replay-benchmark.yaml")));
        policy = policy with { Spec = policy.Spec with { LeadingSignal = policy.Spec.LeadingSignal! with { RequestsPerUnit = 0.05 } } };
        var trace = TrafficTrace.Load(Sample("traces", "repeated", "push-3x-40min.csv"));
        EngineController? last = null;
        var entries = new List<ReplayEntry>
        {
            new("learning", _ => last = new EngineController(policy, s_settings.StartupSeconds)),
            new("as configured", _ => new EngineController(policy, s_settings.StartupSeconds) { LearnsConversion = false }),
        };

        var report = ReplaySuite.Run(trace, entries, s_settings);

        Assert.True(report.WorstRatio("learning", "as configured", r => r.ShortfallPodSeconds) < 0.8);
        var learned = last!.Policy.Status!.LeadingSignal!;
        Assert.Equal(3, learned.Events);
        Assert.True(learned.LearnedFactor > 1.8, $"learned x{learned.LearnedFactor}");
    }
}
