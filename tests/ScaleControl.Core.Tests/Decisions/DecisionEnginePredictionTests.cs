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

        var d = rig.Feed(Ramp(13)); // last value 16,000, +100/s; a straight line would say 20,500 in 45 s

        // A significant ramp is predicted (in log space, damped): well above the measured value, under maxGrowthFactor.
        var predicted = d.Evidence.Metrics[0].Predicted!.Value;
        Assert.InRange(predicted, 18_000, 22_000);
        Assert.Equal(32, d.RawRecommendation); // measured only: ceil(16,000 / 500)
        Assert.Equal((int)Math.Ceiling(predicted / 500), d.PredictedRecommendation);
        Assert.Equal(d.PredictedRecommendation, d.DesiredReplicas);
        Assert.Contains("qps 16k, rising ", d.Reason, StringComparison.Ordinal);
        Assert.Contains(" in 45s; 500/pod -> ", d.Reason, StringComparison.Ordinal);
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

        var d = rig.Feed(Ramp(13));
        var shorter = new EngineRig(Predicting()) { Spec = 24, Ready = 24 }.Feed(Ramp(13));

        Assert.True(d.DesiredReplicas > shorter.DesiredReplicas, $"{d.DesiredReplicas} vs {shorter.DesiredReplicas}");
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

        Assert.NotNull(d!.Value.PredictedRecommendation);
        Assert.Contains("in 55s", d.Value.Reason, StringComparison.Ordinal); // 45 s look-ahead + 10 s sample age
    }

    [Fact]
    public void Decide_GrowthBeyondFactor_IsCapped()
    {
        var rig = new EngineRig(Predicting(maxGrowth: 1.2)) { Spec = 24, Ready = 24 };

        // +1 %/s compounding: 45 s ahead would be ~1.45x the last value; the cap allows 1.2x.
        var d = rig.Feed(Enumerable.Range(0, 13).Select(i => 10_000 * Math.Exp(0.01 * 5 * i)));

        var last = 10_000 * Math.Exp(0.6);
        Assert.Equal(last * 1.2, d.Evidence.Metrics[0].Predicted!.Value, 3);
        Assert.Equal((int)Math.Ceiling(last * 1.2 / 500), d.DesiredReplicas);
        Assert.Contains("capped by maxGrowthFactor", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TrendReversed_PredictionSwitchesOff()
    {
        var rig = new EngineRig(Predicting()) { Spec = 40, Ready = 40 };
        var rising = Ramp(9).ToList(); // 10k..14k over 40 s
        var falling = new[] { 13_600.0, 13_200, 12_800, 12_400 };

        var d = rig.Feed(rising.Concat(falling));

        Assert.Null(d.PredictedRecommendation);
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
    public void Decide_Step_IsSizedAsTheNewLevelNotExtrapolated()
    {
        var rig = new EngineRig(Predicting()) { Spec = 20, Ready = 20 };
        rig.Feed(Scraped(Enumerable.Range(0, 12).Select(i => i % 2 == 0 ? 9_900.0 : 10_100))); // 3 minutes flat ±1 %, a scrape per 15 s
        // A 5x step arrives through rate(): one half-way scrape, then the new level.
        var d = rig.Feed(Scraped([30_000.0, 50_000, 50_000]));

        Assert.Null(d.PredictedRecommendation);
        // 50,000 / 500 = 100: the new level (plus the series' own ±1 % noise as headroom), not a slope carried 45 s ahead.
        Assert.InRange(d.DesiredReplicas, 100, 103);
        Assert.Contains("level shift", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RealisticNoise_NeverTriggersPrediction()
    {
        var rig = new EngineRig(Predicting()) { Spec = 20, Ready = 20 };
        var random = new Random(42);
        var predictions = 0;

        // Two hours of a flat series with 6 % lognormal noise per 15 s scrape (a real quiet day's burstiness).
        foreach (var value in Scraped(Enumerable.Range(0, 480).Select(_ => 10_000 * Math.Exp(0.06 * Normal(random)))))
        {
            rig.Advance(5);
            predictions += rig.Decide(value).PredictedRecommendation is null ? 0 : 1;
        }

        Assert.Equal(0, predictions);
    }

    [Fact]
    public void Decide_SignificantRampThroughNoise_IsPredicted()
    {
        var rig = new EngineRig(Predicting()) { Spec = 20, Ready = 20 };
        var random = new Random(7);

        // +0.4 %/s (2x in 3 minutes) under 2 % noise, scraped every 15 s.
        var d = rig.Feed(Scraped(Enumerable.Range(0, 12).Select(i => 10_000 * Math.Exp((0.004 * 15 * i) + (0.02 * Normal(random))))));

        Assert.NotNull(d.PredictedRecommendation);
        Assert.True(d.DesiredReplicas > d.RawRecommendation);
    }

    /// <summary>Each scrape read three times by a 5 s loop, as the control loop sees a 15 s Prometheus scrape.</summary>
    private static IEnumerable<double> Scraped(IEnumerable<double> scrapes) => scrapes.SelectMany(v => new[] { v, v, v });

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

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
        Assert.Contains("falling ", d.Reason, StringComparison.Ordinal);
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
        var predicted = rig.Feed(Ramp(13));
        Assert.True(predicted.DesiredReplicas > 32);
        rig.Apply(predicted); // above the measured 32 on the prediction
        rig.Feed(Enumerable.Repeat(16_000.0, 12)); // the rise stopped at 16k

        var d = rig.Feed([16_000]);

        Assert.Equal(32, d.DesiredReplicas); // back to the measured need, not held for 300 s
    }
}
