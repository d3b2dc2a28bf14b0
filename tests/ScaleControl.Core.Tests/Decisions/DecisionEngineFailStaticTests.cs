using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

public class DecisionEngineFailStaticTests
{
    private const string Qps = "sum(rate(http_requests_total[1m]))";
    private const string Cpu = "avg(cpu)";

    private static EngineRig Rig(int spec = 20) => new(EngineRig.Unlimited(WithSpec(Auto(min: 1, max: 1000), s => s with
    {
        Metrics = [s.Metrics[0], new MetricSpec { Name = "cpu", Query = Cpu, TargetType = MetricTargetType.Average, Target = 0.5 }],
    }))) { Spec = spec, Ready = spec };

    public static TheoryData<string, MetricReading?, string> BadQps => new()
    {
        { "missing", null, "qps no reading" },
        { "unavailable", MetricReading.Failed(Qps, MetricStatus.Unavailable, "timeout after 3s"), "qps unavailable (timeout after 3s)" },
        { "empty", MetricReading.Failed(Qps, MetricStatus.Empty, "no series"), "qps no data" },
        { "empty, as the adapter says it", MetricReading.Failed(Qps, MetricStatus.Empty, "query returned no series"), "qps no data (query returned no series);" }, // said once, not twice
        { "nan", new MetricReading(Qps, MetricStatus.Ok, double.NaN, EngineRig.T0), "qps not a number" },
        { "stale", MetricReading.Ok(Qps, 1_000, EngineRig.T0.AddSeconds(-120)), "qps stale (last sample 120s old)" },
    };

    [Theory]
    [MemberData(nameof(BadQps))]
    public void Decide_BadMetricWhileOtherSaysDown_HoldsAndNamesTheMetric(string label, MetricReading? qps, string expected)
    {
        var rig = Rig();
        var readings = new Dictionary<string, MetricReading> { [Cpu] = MetricReading.Ok(Cpu, 0.1, rig.Now) }; // cpu alone says 4
        if (qps is not null)
        {
            readings[Qps] = qps;
        }

        var d = rig.Decide(readings);

        Assert.True(d.DesiredReplicas == 20, label);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Equal("failStatic", d.Evidence.BoundBy);
        Assert.Contains(expected, d.Reason, StringComparison.Ordinal);
        Assert.Contains("not scaling down", d.Reason, StringComparison.Ordinal);
        Assert.NotNull(d.Evidence.Metrics[0].Problem);
    }

    [Fact]
    public void Decide_AllMetricsMissing_HoldsWithoutRecommendation()
    {
        var d = Rig().Decide(new Dictionary<string, MetricReading>());

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Null(d.RawRecommendation);
        Assert.Equal(("failStatic", (int?)null), (d.HeldBy, d.UnheldReplicas)); // nothing measured to hold back
    }

    [Fact]
    public void Decide_BadMetricButHealthyOneSaysUp_StillScalesUp()
    {
        var rig = Rig();
        var readings = new Dictionary<string, MetricReading>
        {
            [Qps] = MetricReading.Failed(Qps, MetricStatus.Unavailable, "timeout"),
            [Cpu] = MetricReading.Ok(Cpu, 1.0, rig.Now), // 20 ready at 2x target → 40
        };

        var d = rig.Decide(readings);

        Assert.Equal(40, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
    }

    [Fact]
    public void Decide_ReadingKeyedByMetricName_IsFound()
    {
        var rig = Rig();
        var d = rig.Decide(new Dictionary<string, MetricReading>
        {
            ["qps"] = MetricReading.Ok(Qps, 20_000, rig.Now),
            ["cpu"] = MetricReading.Ok(Cpu, 0.5, rig.Now),
        });

        Assert.Equal(40, d.DesiredReplicas);
    }
}
