using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

public class DecisionEngineSizingTests
{
    private static EngineRig Rig(ScalePolicy? policy = null, int spec = 10) =>
        new(EngineRig.Unlimited(policy ?? Auto(min: 1, max: 1000))) { Spec = spec, Ready = spec };

    private static ScalePolicy TwoMetrics() => WithSpec(Auto(min: 1, max: 1000), s => s with
    {
        Metrics =
        [
            s.Metrics[0],
            new MetricSpec { Name = "cpu", Query = "avg(cpu)", TargetType = MetricTargetType.Average, Target = 0.5 },
        ],
    });

    [Fact]
    public void Decide_PerReplicaTotal_SizesCeilValueOverTarget()
    {
        var d = Rig().Decide(10_001);

        Assert.Equal(21, d.DesiredReplicas);
        Assert.Equal(ScaleDirection.Up, d.Direction);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
        Assert.Equal(21, d.RawRecommendation);
    }

    [Theory]
    [InlineData(5_200, 10)] // ratio 1.04: inside the 10% band
    [InlineData(4_600, 10)] // ratio 0.92: inside
    [InlineData(5_600, 12)] // ratio 1.12: outside
    [InlineData(4_400, 9)]  // ratio 0.88: outside
    public void Decide_ToleranceBand_KeepsCountInsideAndResizesOutside(double qps, int expected)
    {
        var d = Rig().Decide(qps);
        Assert.Equal(expected, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_WithinTolerance_OutcomeNoneWithReason()
    {
        var d = Rig().Decide(5_200);

        Assert.Equal(DecisionOutcome.None, d.Outcome);
        Assert.Equal(ScaleDirection.None, d.Direction);
        Assert.Contains("stay at 10", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AverageMetric_SizesFromReadyPodsNotSpec()
    {
        var policy = WithSpec(Auto(min: 1, max: 1000), s => s with
        {
            Metrics = [new MetricSpec { Name = "cpu", Query = "avg(cpu)", TargetType = MetricTargetType.Average, Target = 0.5 }],
        });
        var rig = Rig(policy, spec: 20);
        rig.Ready = 10; // 10 pods still starting

        // 10 ready pods at 2x target need 20 pods: the 10 starting ones already cover it, so add none.
        var d = rig.Decide(1.0);

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.None, d.Outcome);
    }

    [Fact]
    public void Decide_AverageMetricAllReady_DoublesAtTwiceTarget()
    {
        var policy = WithSpec(Auto(min: 1, max: 1000), s => s with
        {
            Metrics = [new MetricSpec { Name = "cpu", Query = "avg(cpu)", TargetType = MetricTargetType.Average, Target = 0.5 }],
        });

        Assert.Equal(20, Rig(policy).Decide(1.0).DesiredReplicas);
    }

    [Fact]
    public void Decide_SeveralMetrics_LargestRecommendationWins()
    {
        var rig = Rig(TwoMetrics());

        var d = rig.Decide(6_000, 0.75); // qps → 12, cpu → 15

        Assert.Equal(15, d.DesiredReplicas);
        Assert.Equal([12, 15], d.Evidence.Metrics.Select(m => m.Recommendation!.Value));
    }

    [Fact]
    public void Decide_AboveMax_CappedWithBoundBy()
    {
        var d = Rig(Auto(min: 1, max: 30)).Decide(50_000);

        Assert.Equal(30, d.DesiredReplicas);
        Assert.Equal("maxReplicas", d.Evidence.BoundBy);
        Assert.Contains("capped by maxReplicas 30", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_BelowMin_RaisedToMin()
    {
        var d = Rig(Auto(min: 4, max: 30)).Decide(100);

        Assert.Equal(4, d.DesiredReplicas);
        Assert.Equal("minReplicas", d.Evidence.BoundBy);
    }

    [Fact]
    public void Decide_SameInputTwice_SameDecision()
    {
        var rig = Rig(Auto(min: 1, max: 1000) with { });
        var readings = new Dictionary<string, Signals.MetricReading>
        {
            ["sum(rate(http_requests_total[1m]))"] = Signals.MetricReading.Ok("sum(rate(http_requests_total[1m]))", 12_345, rig.Now),
        };
        var engine = new DecisionEngine();

        var a = engine.Decide(rig.Input(readings));
        var b = engine.Decide(rig.Input(readings));

        Assert.Equal((a.DesiredReplicas, a.Outcome, a.Reason), (b.DesiredReplicas, b.Outcome, b.Reason));
    }
}
