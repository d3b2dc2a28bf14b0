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
    [InlineData(null)] // minReplicas unset: Kubernetes' default 1, below the policy's 2
    [InlineData(2)]
    [InlineData(3)]
    public void Decide_HpaMinimumAtOrBelowTheDemand_ChangesNothing(int? hpaMin)
    {
        var withHpa = Rig(10, new HpaInfo("web", hpaMin, 30, null)).Decide(1_250);
        var without = Rig(10, null).Decide(1_250);

        Assert.Equal(without.DesiredReplicas, withHpa.DesiredReplicas);
        Assert.Equal(3, withHpa.DesiredReplicas);
        Assert.Equal(without.Reason, withHpa.Reason);
        Assert.DoesNotContain("HPA", withHpa.Reason, StringComparison.Ordinal);
    }

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
