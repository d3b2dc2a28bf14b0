using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// A loop that was not watching (a new history, a restart, a new leader, readings that failed for a whole window)
/// holds the current count for one scale-down window, as the HPA's recordInitialRecommendation does.
/// </summary>
public class WatchStartTests
{
    private static readonly ScalePolicy s_policy = WithSpec(Auto(min: 1, max: 1000), s => s with
    {
        Behavior = new ScalingBehavior
        {
            ScaleUp = new DirectionBehavior { PeriodSeconds = 15 },
            ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 300 },
        },
        Prediction = s.Prediction with { Enabled = false },
    });

    [Fact]
    public void Decide_FirstReadingsOfANewHistory_HoldTheCurrentCountForOneDownWindow()
    {
        var rig = new EngineRig(s_policy) { Spec = 30, Ready = 30, RecordsWatchStart = true };

        var first = rig.Decide(5_000); // wants 10 at once: a Prometheus that just restarted reads low

        Assert.Equal(30, first.DesiredReplicas);
        Assert.Equal("stabilization", first.Evidence.BoundBy);
        Assert.Equal(10, first.RawRecommendation);
        rig.Advance(295);
        Assert.Equal(30, rig.Decide(5_000).DesiredReplicas);
        rig.Advance(6); // the watch start leaves the window; only measured 10s remain
        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_NewHistoryWithoutWatchStart_CutsAtOnce()
    {
        // What the loop did before: nothing recorded, nothing held (the engine alone on a bare history still does).
        var rig = new EngineRig(s_policy) { Spec = 30, Ready = 30 };

        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleUpOnFirstReading_IsNotHeld()
    {
        var rig = new EngineRig(s_policy) { Spec = 10, Ready = 10, RecordsWatchStart = true };

        Assert.Equal(20, rig.Decide(10_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_ScaleUpOnFirstReadingWithAnUpWindow_IsNotHeldEither()
    {
        var policy = WithSpec(s_policy, s => s with
        {
            Behavior = s.Behavior with { ScaleUp = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 60 } },
        });
        var rig = new EngineRig(policy) { Spec = 10, Ready = 10, RecordsWatchStart = true };

        Assert.Equal(20, rig.Decide(10_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_AfterAWholeWindowUnwatched_HoldsAgain()
    {
        var rig = new EngineRig(s_policy) { Spec = 30, Ready = 30, RecordsWatchStart = true };
        rig.Decide(15_000); // 30 measured
        rig.Advance(311); // nothing recorded for a window and two 5 s intervals: a lost lead, or readings that failed

        Assert.Equal(30, rig.Decide(5_000).DesiredReplicas);
        Assert.Equal(30, rig.Feed(Enumerable.Repeat(5_000d, 59)).DesiredReplicas); // watching again, every 5 s
        Assert.Equal(10, rig.Feed([5_000d]).DesiredReplicas); // one window after the watch start
    }

    [Fact]
    public void Decide_PolicyEvaluatedLessOftenThanItsDownWindow_IsNotHeldForEver()
    {
        var rig = new EngineRig(WithSpec(s_policy, s => s with { EvaluationIntervalSeconds = 600 })) { Spec = 30, Ready = 30, RecordsWatchStart = true };
        rig.Decide(15_000);
        rig.Advance(600); // its own interval: watching as often as it asked to

        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void RecordWatchStart_WhileWatching_ChangesNothing()
    {
        var history = new PolicyHistory();
        history.RecordWatchStart(EngineRig.T0, 30, TimeSpan.FromSeconds(300));
        history.AddRecommendation(EngineRig.T0, 10);

        history.RecordWatchStart(EngineRig.T0.AddSeconds(200), 40, TimeSpan.FromSeconds(300));

        Assert.Equal((EngineRig.T0, 30), history.WatchStart);
    }
}
