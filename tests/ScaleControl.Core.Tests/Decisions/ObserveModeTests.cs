using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Mode Observe decides exactly as Auto (the host writes nothing), and says what it would do.</summary>
public class ObserveModeTests
{
    private static EngineRig Rig(ScaleMode mode) =>
        new(WithSpec(EngineRig.Unlimited(Auto()), s => s with { Mode = mode })) { Spec = 20, Ready = 20 };

    [Theory]
    [InlineData(15_000)] // up: 20 → 30
    [InlineData(5_000)]  // down: 20 → 10
    [InlineData(10_000)] // within tolerance
    public void Decide_Observe_SameDecisionAsAuto(double qps)
    {
        var observed = Rig(ScaleMode.Observe).Decide(qps);
        var auto = Rig(ScaleMode.Auto).Decide(qps);

        Assert.Equal(auto.DesiredReplicas, observed.DesiredReplicas);
        Assert.Equal(auto.Outcome, observed.Outcome);
        Assert.Equal(auto.Reason, observed.Reason);
    }

    [Fact]
    public void Decide_ObserveOverSeveralEvaluations_StabilizesAsAuto()
    {
        var values = new double[] { 15_000, 15_000, 4_000, 4_000, 4_000, 12_000 };
        var observed = Rig(ScaleMode.Observe);
        var auto = Rig(ScaleMode.Auto);

        foreach (var qps in values)
        {
            Assert.Equal(auto.Decide(qps).DesiredReplicas, observed.Decide(qps).DesiredReplicas);
            auto.Clock.Advance(TimeSpan.FromSeconds(5));
            observed.Clock.Advance(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void Outcome_Observe_NeverProposes() =>
        Assert.Equal(DecisionOutcome.ApplyNow, ApprovalShaping.Outcome(Auto().Spec with { Mode = ScaleMode.Observe }, ScaleDirection.Down, 20, 10));

    [Fact]
    public void Said_WouldScale_NamesBothCountsAndThatNothingIsWritten() =>
        Assert.Equal("mode Observe: would scale 20 → 30, nothing written", ObserveMode.Said(Rig(ScaleMode.Observe).Decide(15_000)));

    [Fact]
    public void Said_WouldRunWhatRuns_Null() =>
        Assert.Null(ObserveMode.Said(Rig(ScaleMode.Observe).Decide(10_000)));

    [Fact]
    public void Refusal_NamesPolicyModeAndWayOut()
    {
        var text = ObserveMode.Refusal(WithSpec(Auto(), s => s with { Mode = ScaleMode.Observe }), "pin");

        Assert.Contains("is in mode Observe", text, StringComparison.Ordinal);
        Assert.Contains("does not pin", text, StringComparison.Ordinal);
        Assert.Contains("set spec.mode to Auto, Approval or Hybrid", text, StringComparison.Ordinal);
    }
}
