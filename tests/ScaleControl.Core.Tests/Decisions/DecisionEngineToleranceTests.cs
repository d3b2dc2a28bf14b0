using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

public class DecisionEngineToleranceTests
{
    private static EngineRig Rig(double? up, double? down) => new(WithSpec(EngineRig.Unlimited(Auto(min: 1, max: 1000)), s => s with
    {
        Behavior = new ScalingBehavior
        {
            ScaleUp = new DirectionBehavior { PeriodSeconds = 15, Tolerance = up },
            ScaleDown = new DirectionBehavior { PeriodSeconds = 15, Tolerance = down },
        },
    })) { Spec = 20, Ready = 20 };

    [Fact]
    public void Decide_SmallScaleUpTolerance_DoesNotSitBelowDemand()
    {
        Assert.Equal(20, Rig(null, null).Decide(10_600).DesiredReplicas); // 6% over: inside the shared 10% band
        Assert.Equal(22, Rig(0.05, null).Decide(10_600).DesiredReplicas); // outside a 5% scale-up band
    }

    [Fact]
    public void Decide_ScaleDownToleranceOwnBand()
    {
        Assert.Equal(20, Rig(0.05, null).Decide(9_200).DesiredReplicas); // 8% under: inside the 10% band
        Assert.Equal(19, Rig(null, 0.05).Decide(9_200).DesiredReplicas);
    }
}
