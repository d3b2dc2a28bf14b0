using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

public class DecisionEnginePredictionTests
{
    private static ScalePolicy Predicting(int? lookAhead = 45, double maxGrowth = 3, bool enabled = true) =>
        WithSpec(EngineRig.Unlimited(Auto(min: 1, max: 1000)), s => s with
        {
            Prediction = new PredictionSpec { Enabled = enabled, LookAheadSeconds = lookAhead, LookBackSeconds = 60, MaxGrowthFactor = maxGrowth },
        });

    /// <summary>10k rising by 100/s: one sample every 5 s.</summary>
    private static IEnumerable<double> Ramp(int samples, double start = 10_000, double perSecond = 100) =>
        Enumerable.Range(0, samples).Select(i => start + (i * 5 * perSecond));

    [Fact]
    public void Decide_SteadyRise_SizesForThePredictedValue()
    {
        var rig = new EngineRig(Predicting()) { Spec = 24, Ready = 24 };

        var d = rig.Feed(Ramp(13)); // last value 16,000, +100/s → 20,500 in 45 s

        Assert.Equal(41, d.DesiredReplicas); // ceil(20,500 / 500)
        Assert.Equal(32, d.RawRecommendation); // measured only: ceil(16,000 / 500)
        Assert.Equal(41, d.PredictedRecommendation);
        Assert.Equal(20_500, d.Evidence.Metrics[0].Predicted!.Value, 3);
        Assert.Equal(100, d.Evidence.Metrics[0].SlopePerSecond!.Value, 3);
        Assert.Contains("qps 16k, rising 100/s; predicted 20.5k in 45s; 500/pod -> 41", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PredictionDisabled_SizesForMeasuredValue()
    {
        var rig = new EngineRig(Predicting(enabled: false)) { Spec = 24, Ready = 24 };

        Assert.Equal(32, rig.Feed(Ramp(13)).DesiredReplicas);
    }

    [Fact]
    public void Decide_NoLookAheadSet_UsesObservedStartupTime()
    {
        var rig = new EngineRig(Predicting(lookAhead: null)) { Spec = 24, Ready = 24, StartupTime = TimeSpan.FromSeconds(90) };

        var d = rig.Feed(Ramp(13)); // 16,000 + 100/s x 90 s = 25,000

        Assert.Equal(50, d.DesiredReplicas);
        Assert.Contains("in 90s", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_DelayedSamples_ProjectOverTheSampleAgeToo()
    {
        var rig = new EngineRig(Predicting()) { Spec = 24, Ready = 24 };
        var q = rig.Policy.Spec.Metrics[0].Query;
        Decision? d = null;
        foreach (var value in Ramp(13))
        {
            rig.Advance(5);
            // Every sample arrives 10 s late (scrape + rule evaluation delay).
            d = rig.Decide(new Dictionary<string, Signals.MetricReading> { [q] = Signals.MetricReading.Ok(q, value, rig.Now.AddSeconds(-10)) });
        }

        Assert.Equal(43, d!.DesiredReplicas); // 16,000 + 100/s x (45 + 10) s = 21,500
        Assert.Contains("in 55s", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_GrowthBeyondFactor_IsCapped()
    {
        var rig = new EngineRig(Predicting(maxGrowth: 1.5)) { Spec = 24, Ready = 24 };

        var d = rig.Feed(Ramp(13, start: 1_000, perSecond: 250)); // 16,000 + 250 x 45 = 27,250, cap 24,000

        Assert.Equal(24_000, d.Evidence.Metrics[0].Predicted!.Value, 3);
        Assert.Equal(48, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_TrendReversed_PredictionSwitchesOff()
    {
        var rig = new EngineRig(Predicting()) { Spec = 40, Ready = 40 };
        var rising = Ramp(9).ToList(); // 10k..14k over 40 s
        var falling = new[] { 13_600.0, 13_200, 12_800, 12_400 };

        var d = rig.Feed(rising.Concat(falling));

        Assert.Null(d.PredictedRecommendation);
        Assert.Contains("trend reversed", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FlatNoisyTraffic_PredictsNothing()
    {
        var rig = new EngineRig(Predicting()) { Spec = 20, Ready = 20 };
        var noisy = new[] { 10_000.0, 10_400, 9_700, 10_300, 9_600, 10_200, 9_900, 10_500, 9_800, 10_100, 9_700, 10_300, 10_000 };

        var d = rig.Feed(noisy);

        Assert.Null(d.PredictedRecommendation);
        Assert.Equal(20, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_SlowDrift_WithinToleranceIsNotPredicted()
    {
        var rig = new EngineRig(Predicting()) { Spec = 20, Ready = 20 };

        var d = rig.Feed(Ramp(13, start: 10_000, perSecond: 10)); // +450 in 45 s: under 10% of 10.6k

        Assert.Null(d.PredictedRecommendation);
        Assert.Equal(20, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_FallingTrend_NeverPredictsBelowMeasured()
    {
        var rig = new EngineRig(Predicting()) { Spec = 40, Ready = 40 };

        var d = rig.Feed(Ramp(13, start: 20_000, perSecond: -100)); // ends at 14,000 → 28 measured

        Assert.Equal(28, d.DesiredReplicas);
        Assert.Null(d.PredictedRecommendation);
        Assert.Contains("falling 100/s", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PredictionThatDidNotComeTrue_IsNotHeldByStabilization()
    {
        var policy = WithSpec(Predicting(), s => s with
        {
            Behavior = new ScalingBehavior
            {
                ScaleUp = new DirectionBehavior { PeriodSeconds = 15 },
                ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = 300 },
            },
        });
        var rig = new EngineRig(policy) { Spec = 24, Ready = 24 };
        rig.Apply(rig.Feed(Ramp(13))); // → 41 on the prediction; measured said 32
        rig.Feed(Enumerable.Repeat(16_000.0, 12)); // the rise stopped at 16k

        var d = rig.Feed([16_000]);

        Assert.Equal(32, d.DesiredReplicas); // back to the measured need, not held at 41 for 300 s
    }
}
