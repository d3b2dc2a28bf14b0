using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Step limits, stabilization, cooldown and readiness: what keeps the engine from over-reacting.</summary>
public class DecisionEngineGuardrailTests
{
    private static ScalePolicy Behaving(DirectionBehavior? up = null, DirectionBehavior? down = null) =>
        WithSpec(Auto(min: 1, max: 1000), s => s with
        {
            Behavior = new ScalingBehavior
            {
                ScaleUp = up ?? new DirectionBehavior { PeriodSeconds = 15 },
                ScaleDown = down ?? new DirectionBehavior { PeriodSeconds = 15 },
            },
            Prediction = s.Prediction with { Enabled = false },
        });

    [Fact]
    public void Decide_DefaultScaleUpStep_DoublesAtMostAndSaysSo()
    {
        var rig = new EngineRig(WithSpec(Auto(min: 1, max: 1000), s => s with { Prediction = s.Prediction with { Enabled = false } }));

        var d = rig.Decide(25_000); // wants 50

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal("maxStep", d.Evidence.BoundBy);
        Assert.Contains("500/pod -> 50, capped by max step max(4 pods, 100%) -> 20", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_StepPodsLargerThanPercent_PodsWin()
    {
        var rig = new EngineRig(Behaving(up: new DirectionBehavior { MaxStep = new StepLimit { Pods = 4, Percent = 100 }, PeriodSeconds = 15 })) { Spec = 2, Ready = 2 };

        Assert.Equal(6, rig.Decide(25_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_StepAlreadyUsedInPeriod_AddsNoMore()
    {
        var rig = new EngineRig(Behaving(up: new DirectionBehavior { MaxStep = new StepLimit { Percent = 100 }, PeriodSeconds = 60 }));
        rig.Apply(rig.Decide(10_000)); // 10 → 20, the whole 100% of this period
        rig.Advance(30);

        var d = rig.Decide(30_000); // wants 60

        Assert.Equal(20, d.DesiredReplicas);
        rig.Advance(31); // the period has passed: the next 100% is allowed
        Assert.Equal(40, rig.Decide(30_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleDownStep_LimitsRemovalPerPeriod()
    {
        var rig = new EngineRig(Behaving(down: new DirectionBehavior { MaxStep = new StepLimit { Percent = 20 }, PeriodSeconds = 60 })) { Spec = 50, Ready = 50 };

        var d = rig.Decide(5_000); // wants 10

        Assert.Equal(40, d.DesiredReplicas);
        Assert.Contains("max step down 20%", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ScaleDownStabilization_KeepsHighestRecommendationOfWindow()
    {
        var rig = new EngineRig(Behaving(down: new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 300 })) { Spec = 30, Ready = 30 };
        rig.Decide(15_000); // recommendation 30 recorded
        rig.Advance(120);

        var held = rig.Decide(5_000); // wants 10, but 30 was recommended 120 s ago
        Assert.Equal(30, held.DesiredReplicas);
        Assert.Equal("stabilization", held.Evidence.BoundBy);
        Assert.Equal(10, held.RawRecommendation);

        rig.Advance(181); // the 30 leaves the window; only 10s remain
        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleUpStabilization_UsesLowestRecommendationOfWindow()
    {
        var rig = new EngineRig(Behaving(up: new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 60 }));
        rig.Decide(6_000); // 12 recorded
        rig.Advance(10);

        var d = rig.Decide(10_000); // wants 20, but 12 was the low point of the window

        Assert.Equal(12, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_InCooldown_HoldsWithTimeLeft()
    {
        var rig = new EngineRig(Behaving(down: new DirectionBehavior { PeriodSeconds = 15, CooldownSeconds = 60 }));
        rig.Apply(rig.Decide(10_000)); // 10 → 20
        rig.Advance(20);

        var d = rig.Decide(2_000); // wants 4

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Equal("cooldown", d.Evidence.BoundBy);
        Assert.Equal(("cooldown", (int?)4), (d.HeldBy, d.UnheldReplicas)); // what the cooldown keeps back
        Assert.Contains("cooling down after the last change (40s left)", d.Reason, StringComparison.Ordinal);

        rig.Advance(41);
        Assert.Equal(4, rig.Decide(2_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleUpCooldownZero_DoesNotBlockScaleUp()
    {
        var rig = new EngineRig(Behaving(down: new DirectionBehavior { PeriodSeconds = 15, CooldownSeconds = 600 }));
        rig.Apply(rig.Decide(10_000));
        rig.Advance(20);

        Assert.Equal(40, rig.Decide(20_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_PodsStillStartingAfterScaleUp_DoesNotScaleDown()
    {
        var rig = new EngineRig(Behaving());
        rig.Apply(rig.Decide(10_000), ready: false); // 10 → 20, the 10 new pods not ready yet
        rig.Advance(10);

        var d = rig.Decide(4_000); // measured demand fell to 8

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Contains("waiting for 10 starting pod(s)", d.Reason, StringComparison.Ordinal);
        Assert.Equal(("readiness", (int?)8), (d.HeldBy, d.UnheldReplicas));

        rig.Ready = 20;
        Assert.Equal(8, rig.Decide(4_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_PodsStartingAfterScaleUp_DoesNotReproposeTheSameTarget()
    {
        var rig = new EngineRig(Behaving());
        rig.Apply(rig.Decide(10_000), ready: false); // 10 → 20
        rig.Advance(5);

        var d = rig.Decide(10_000);

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.None, d.Outcome);
        Assert.Equal((null, null), (d.HeldBy, d.UnheldReplicas)); // at the count it wants: not held
    }
}
