using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12, quiet days: a calm series that is already stepping down releases capacity past the down tolerance (one
/// step per 10 %), not past the up tolerance (a 1-pod staircase); after a scale-up the narrow band stays.
/// </summary>
public class CalmReleaseTests
{
    private static ScalePolicy Policy() => ReplayBenchmark();

    [Fact]
    public void Decide_CalmLevelWithinTheDownTolerance_AfterAScaleDown_KeepsTheCount()
    {
        var rig = new EngineRig(Policy()) { Spec = 41, Ready = 41 };
        rig.History.RecordChange(rig.Now, 44, 41); // the evening's decline has begun

        // 41 pods for a calm 37.2 pods of demand (18.6k QPS, 9 % below): the HPA keeps 41 (within its 10 %); the
        // up tolerance (4 %) would release 3 pods now and another step at the next small dip.
        var changes = new List<string>();
        for (var t = 5.0; t <= 1800; t += 5)
        {
            rig.Advance(5);
            var level = t <= 180 ? 19_900 : 18_600; // 39.8 pods for 3 minutes, then 37.2
            var d = rig.Decide(level + (Math.Floor(t / 15) % 2 == 0 ? 50 : -50));
            if (d.DesiredReplicas != rig.Spec)
            {
                changes.Add($"{t}s: {d.Reason}");
                rig.Apply(d);
            }
        }

        Assert.Empty(changes);
        Assert.Equal(41, rig.Spec);
    }

    [Fact]
    public void Band_IsTheDownToleranceOnlyWhileCalmAndAlreadyDeclining()
    {
        var calm = new Trend(0, 0, TrendPredictor.MinWindow, null, null, Swing: 0.05);
        var declining = new PolicyHistory();
        declining.RecordChange(EngineRig.T0, 40, 36);
        var afterRise = new PolicyHistory();
        afterRise.RecordChange(EngineRig.T0, 80, 88);

        Assert.Equal(0.1, CalmRelease.Band(calm, declining, 0.04, 0.1));
        // After a scale-up (a prediction's overshoot, say) the narrow band stays, so it is released at once.
        Assert.Equal(0.04, CalmRelease.Band(calm, afterRise, 0.04, 0.1));
        // No change the history still remembers (20 minutes): the count has stood long enough to be the level's.
        Assert.Equal(0.1, CalmRelease.Band(calm, new PolicyHistory(), 0.04, 0.1));
        // Not calm: a swing beyond 20 % in 10 minutes, or a series still rising.
        Assert.Equal(0.04, CalmRelease.Band(calm with { Swing = 0.3 }, declining, 0.04, 0.1));
        Assert.Equal(0.04, CalmRelease.Band(calm with { Rising = true }, declining, 0.04, 0.1));
        // Too few observations (or prediction off) to call the series calm.
        Assert.Equal(0.04, CalmRelease.Band(calm with { Samples = 1 }, declining, 0.04, 0.1));
    }
}
