using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Core.Tests.Simulation;

/// <summary>The HPA tuned to ScaleControl's service (docs/performance.md, "At equal service"): the match, and the claim on a step and a ramp.</summary>
public class EqualServiceTests
{
    private static readonly ReplaySettings s_settings = new() { Seeds = 3 };

    private static TraceReport Replay(string trace)
    {
        var root = TestPolicies.RepoRoot();
        var policy = PolicyYaml.Load(File.ReadAllText(Path.Combine(root, "samples", "policies", "replay-benchmark.yaml")));
        return ReplaySuite.Run(TrafficTrace.Load(Path.Combine(root, "samples", "traces", trace)), EqualService.Entries(policy, s_settings), s_settings);
    }

    private static ReplayResult Result(string controller, double shortfall, double over) => new("t", controller, 1, shortfall, over, null, 0, 0, 0, 0);

    [Fact]
    public void Service_IsTheCheapestThatRunsShortNoMore_CostTheLeastShortThatHoldsNoMore()
    {
        var report = new TraceReport(TrafficTrace.Parse("t", ["seconds,qps", "0,1", "60,1"]), new Dictionary<string, List<ReplayResult>>
        {
            [ReplaySuite.ScaleControl] = [Result(ReplaySuite.ScaleControl, shortfall: 100, over: 500)],
            ["short, cheap"] = [Result("short, cheap", shortfall: 300, over: 200)],
            ["shorter, cheap"] = [Result("shorter, cheap", shortfall: 200, over: 400)],
            ["same service, dear"] = [Result("same service, dear", shortfall: 100, over: 900)],
            ["better service, dearer"] = [Result("better service, dearer", shortfall: 50, over: 1200)],
        });

        Assert.Equal("same service, dear", EqualService.Service(report));
        Assert.Equal("shorter, cheap", EqualService.Cost(report));
    }

    [Fact]
    public void Step_EveryHpaTargetHoldsMore_AndTheOneGivingTheSameServiceHoldsAboutTwice()
    {
        var report = Replay("spike-4x-2min.csv");

        Assert.Null(EqualService.Cost(report));
        var service = EqualService.Service(report);
        Assert.NotNull(service);
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, service, r => r.OverProvisionPodSeconds) <= 0.7);
    }

    [Fact]
    public void Ramp_TheHpaGivingTheSameServiceHoldsMore()
    {
        var report = Replay("weibo-3x-10min.csv");

        var service = EqualService.Service(report);
        Assert.NotNull(service);
        Assert.True(report.WorstRatio(ReplaySuite.ScaleControl, service, r => r.OverProvisionPodSeconds) <= 0.7);
    }
}
