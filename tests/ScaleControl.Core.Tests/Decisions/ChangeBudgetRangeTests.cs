using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12: a predicted rise skips the change budget only when it goes past the last 10 minutes' high (a ramp);
/// a rise back into the range a swinging series has already visited pays from the budget like any adjustment.
/// </summary>
public class ChangeBudgetRangeTests
{
    /// <summary>Ten minutes of 15 s scrapes: an optional earlier high, a flat 10k, then +3 % per scrape (a clean, significant rise).</summary>
    private static List<MetricPoint> Series(bool earlierHigh)
    {
        var values = Enumerable.Repeat(earlierHigh ? 15_000.0 : 10_000.0, 10)
            .Concat(Enumerable.Repeat(10_000.0, 20))
            .Concat(Enumerable.Range(1, 9).Select(i => 10_000 * Math.Pow(1.03, i)));
        return [.. values.Select((v, i) => new MetricPoint(EngineRig.T0.AddSeconds(15 * i), v))];
    }

    private static Trend Fit(List<MetricPoint> history) =>
        TrendPredictor.Fit(history, history[^1], TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), 1.25);

    [Fact]
    public void Fit_RiseToANewHigh_IsBeyondRange_RiseBackIntoTheRecentRange_IsNot()
    {
        var ramp = Fit(Series(earlierHigh: false));
        var swing = Fit(Series(earlierHigh: true));

        Assert.NotNull(ramp.Predicted);
        Assert.True(ramp.BeyondRange);
        Assert.NotNull(swing.Predicted); // still a significant rise with its prediction...
        Assert.True(swing.Predicted < 15_000, $"{swing.Predicted}");
        Assert.False(swing.BeyondRange); // ...but back into levels seen 7 minutes ago
    }

    [Theory]
    [InlineData(false, 29)] // a ramp: the predicted step is exempt and taken
    [InlineData(true, 27)] // a swing back up with the budget spent: held, the count stays
    public void Decide_PredictedStep_SpendsTheBudgetOnlyInsideTheRecentRange(bool earlierHigh, int expected)
    {
        var rig = Rig(earlierHigh);

        var d = rig.Decide(Series(earlierHigh)[^1].Value); // the newest scrape, 13.05k

        Assert.True(expected == d.DesiredReplicas, d.Reason);
        Assert.Equal(earlierHigh, d.Reason.Contains("change budget spent", StringComparison.Ordinal));
        Assert.Equal(earlierHigh ? ("changeBudget", 29) : (null, null), (d.HeldBy, d.UnheldReplicas)); // held back from the ramp's count
    }

    private static EngineRig Rig(bool earlierHigh)
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
        var rig = new EngineRig(policy) { Spec = 27, Ready = 27 }; // the measured need of the latest 13.05k at 500/pod
        var series = Series(earlierHigh);
        foreach (var point in series.Take(series.Count - 1))
        {
            rig.History.AddSample("qps", point);
        }

        rig.Clock.SetUtcNow(series[^1].Time);
        rig.History.RecordChange(rig.Now.AddMinutes(-2), 25, 27); // the one change the budget allows, spent
        return rig;
    }
}
