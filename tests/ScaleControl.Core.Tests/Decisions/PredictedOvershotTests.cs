using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12: capacity only a prediction asked for, left at the end of an event (the metric at least doubled within
/// 10 minutes), is released outside the change budget; on a swing smaller than a doubling, or once a measurement
/// asked for the count, the release pays from the budget like any adjustment.
/// </summary>
public class PredictedOvershotTests
{
    [Theory]
    [InlineData(10_000.0, false, 80)] // 10k → 40k: an event; 90 pods no measurement asked for go back to 80 at once
    [InlineData(30_000.0, false, 90)] // 30k → 40k: a swing, not an event; the budget holds
    [InlineData(10_000.0, true, 90)] // a measurement asked for 90 within 10 minutes: not an overshoot; the budget holds
    public void Decide_PredictedOvershoot_SkipsTheSpentBudgetOnlyAfterAnEvent(double before, bool measuredAskedFor90, int expected)
    {
        var rig = Rig(before, measuredAskedFor90);

        var d = rig.Decide(40_000); // the need: 80 pods at 500/pod, 11 % below the count (less than a large change)

        Assert.True(expected == d.DesiredReplicas, d.Reason);
        Assert.Equal(expected == 90, d.Reason.Contains("change budget spent", StringComparison.Ordinal));
    }

    [Fact]
    public void Release_OnlyDownward_AfterADoubling_WithNoMeasuredRecommendationAtTheCount()
    {
        var history = new PolicyHistory();
        history.AddRecommendation(EngineRig.T0, 80);

        Assert.True(PredictedOvershot.Release(history, current: 90, desired: 80, swing: Math.Log(2)));
        Assert.False(PredictedOvershot.Release(history, current: 90, desired: 80, swing: Math.Log(1.9)));
        Assert.False(PredictedOvershot.Release(history, current: 90, desired: 95, swing: Math.Log(4)));
        Assert.False(PredictedOvershot.Release(new PolicyHistory(), current: 90, desired: 80, swing: Math.Log(4))); // no measurement yet: nothing known
        history.AddRecommendation(EngineRig.T0.AddSeconds(5), 90);
        Assert.False(PredictedOvershot.Release(history, current: 90, desired: 80, swing: Math.Log(4)));
    }

    [Fact]
    public void Fit_Swing_IsTheLogRangeOfTheLastTenMinutes()
    {
        var history = Series(10_000).ToList();

        var trend = TrendPredictor.Fit(history, new MetricPoint(history[^1].Time.AddSeconds(15), 40_000), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), 1.25);

        Assert.Equal(Math.Log(4), trend.Swing, 6);
    }

    /// <summary>Ten minutes of 15 s scrapes: five minutes at <paramref name="before"/>, then five at 40k (the step long past the look-back).</summary>
    private static IEnumerable<MetricPoint> Series(double before) =>
        Enumerable.Range(0, 39).Select(i => new MetricPoint(EngineRig.T0.AddSeconds(15 * i), i < 20 ? before : 40_000));

    private static EngineRig Rig(double before, bool measuredAskedFor90)
    {
        var policy = WithSpec(Auto(min: 1, max: 1000), s => s with
        {
            Behavior = new ScalingBehavior
            {
                ScaleUp = new DirectionBehavior { PeriodSeconds = 15, Tolerance = 0.04 },
                ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 0 },
                ChangeBudget = 1,
            },
            Prediction = new PredictionSpec { Enabled = true, LookAheadSeconds = 60, LookBackSeconds = 120, MaxGrowthFactor = 1.25 },
        });
        var rig = new EngineRig(policy) { Spec = 90, Ready = 90 }; // a predicted step landed past the new level
        foreach (var point in Series(before))
        {
            rig.History.AddSample("qps", point);
        }

        rig.Clock.SetUtcNow(EngineRig.T0.AddSeconds(15 * 39));
        rig.History.AddRecommendation(rig.Now.AddMinutes(-3), measuredAskedFor90 ? 90 : 80);
        rig.History.RecordChange(rig.Now.AddMinutes(-2), 80, 90); // the one change the budget allows, spent by the predicted step
        return rig;
    }
}
