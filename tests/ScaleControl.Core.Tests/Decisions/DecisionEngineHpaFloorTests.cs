using ScaleControl.Core.Decisions;
using ScaleControl.Core.Ports;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// An HPA that owns the workload keeps its owner's minReplicas: the decision never asks below it (the original while
/// ScaleControl has raised it), and its reason says why. The policy's own minimum is 2; 500/pod.
/// </summary>
public class DecisionEngineHpaFloorTests
{
    private static EngineRig Rig(int spec, HpaInfo? hpa) =>
        new(EngineRig.Unlimited(Auto(min: 2, max: 100))) { Spec = spec, Ready = spec, Hpa = hpa };

    [Fact]
    public void Decide_DemandBelowTheHpasOwnMinimum_RunningAtIt_HoldsAndSaysWhy()
    {
        var d = Rig(4, new HpaInfo("video-transcoder", MinReplicas: 4, MaxReplicas: 30, OriginalMinReplicas: null)).Decide(1_250); // wants 3

        Assert.Equal(4, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Equal(3, d.RawRecommendation);
        Assert.Equal("hpaMinReplicas", d.Evidence.BoundBy);
        Assert.Null(d.HeldBy); // a bound, not a hold: the scale-down cannot happen, a tap reads "no change"
        Assert.EndsWith("; held at 4: HPA video-transcoder owns the workload and its own minReplicas is 4", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RaisedByScaleControl_GoesDownToTheOriginalMinimum_NotBelow()
    {
        var d = Rig(10, new HpaInfo("video-transcoder", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: 4)).Decide(1_250); // wants 3

        Assert.Equal(4, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
        Assert.Equal("hpaMinReplicas", d.Evidence.BoundBy);
        Assert.Contains("; not below 4: HPA video-transcoder owns the workload and its own minReplicas is 4", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RunningBelowTheHpasMinimum_IsNotRaisedByIt()
    {
        // The HPA raises its own workload; ScaleControl's floor rule only stops a scale-down.
        var d = Rig(3, new HpaInfo("video-transcoder", MinReplicas: 4, MaxReplicas: 30, OriginalMinReplicas: null)).Decide(500); // wants 1, policy min 2

        Assert.Equal(3, d.DesiredReplicas);
        Assert.Contains("held at 3: HPA video-transcoder", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Decide_RaisedFloorComingDownToTheDemand_AboveTheHpasOwnMinimum_ChangesNothing(int ownMin)
    {
        var withHpa = Rig(10, new HpaInfo("web", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: ownMin)).Decide(1_250);
        var without = Rig(10, null).Decide(1_250);

        Assert.Equal(without.DesiredReplicas, withHpa.DesiredReplicas);
        Assert.Equal(3, withHpa.DesiredReplicas);
        Assert.Equal(without.Reason, withHpa.Reason);
        Assert.DoesNotContain("HPA", withHpa.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_250)] // wants 3, below the HPA's own 6
    [InlineData(3_500)] // wants 7, above it: the write would raise the floor 6 → 7, not scale down
    public void Decide_OwnMinimumRestored_HpaKeepsMore_HoldsAndSaysTheHpaDecides(double qps)
    {
        // The sandbox's feed-service after an expected event: its floor back at the HPA's own 6, the HPA keeping 8.
        var d = Rig(8, new HpaInfo("feed-service", MinReplicas: 6, MaxReplicas: 30, OriginalMinReplicas: null)).Decide(qps);

        Assert.Equal(8, d.DesiredReplicas);
        Assert.Equal(ScaleDirection.None, d.Direction);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Equal("hpaMinReplicas", d.Evidence.BoundBy);
        Assert.Null(d.HeldBy);
        Assert.EndsWith("; held at 8 by HPA feed-service (its own minReplicas 6 is restored; the HPA decides below that)", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_HpaKeepsMoreThanScaleControlsRaisedFloor_Holds()
    {
        // ScaleControl's floor is 10, the HPA runs 14 on its own metrics; asking for 12 would raise the floor, not scale down.
        var d = Rig(14, new HpaInfo("web", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: 6)).Decide(6_000); // wants 12

        Assert.Equal(14, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.EndsWith("; held at 14 by HPA web (ScaleControl's floor on it is 10; the HPA decides above that)", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3_000, 6)] // to the HPA's own minimum
    [InlineData(4_000, 8)] // part of the way
    public void Decide_ThroughScaleControlsRaisedFloor_ScalesDown(double qps, int expected)
    {
        var d = Rig(10, new HpaInfo("feed-service", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: 6)).Decide(qps);

        Assert.Equal(expected, d.DesiredReplicas);
        Assert.Equal(ScaleDirection.Down, d.Direction);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
    }

    [Theory]
    [InlineData(6, null, 7, null)] // restored: the write would raise the floor
    [InlineData(6, null, 3, null)] // restored: the write would set the 6 in force again
    [InlineData(10, 6, 3, 6)] // raised: down to its own minimum at the lowest
    [InlineData(10, 6, 8, 8)]
    [InlineData(10, 6, 12, null)] // at or above ScaleControl's floor: nothing to lower
    [InlineData(null, null, 3, null)] // minReplicas unset: Kubernetes' 1, the owner's own
    public void ScaleDownFloor_IsTheFloorTheWriteLeaves_OrNullWhenItWouldNotComeDown(int? min, int? original, int desired, int? expected) =>
        Assert.Equal(expected, new HpaInfo("web", min, 30, original).ScaleDownFloor(desired));

    [Fact]
    public void Decide_ScaleUp_IsNotTouchedByTheHpaFloor()
    {
        var d = Rig(4, new HpaInfo("web", 4, 30, null)).Decide(5_000); // wants 10
        var without = Rig(4, null).Decide(5_000);

        Assert.Equal(10, d.DesiredReplicas);
        Assert.Equal(without.Reason, d.Reason);
    }

    [Fact]
    public void OwnMinReplicas_IsTheOriginalWhileRaised_ElseTheOneInForce_ElseOne()
    {
        Assert.Equal(4, new HpaInfo("web", 10, 30, 4).OwnMinReplicas);
        Assert.Equal(6, new HpaInfo("web", 6, 30, null).OwnMinReplicas);
        Assert.Equal(1, new HpaInfo("web", null, 30, null).OwnMinReplicas);
    }
}
