using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// The sizing rules of issue 12 beyond trend-vs-noise: headroom follows volatility, capacity no measurement asked
/// for is released, no scale-down while a metric rises, a shorter down window during a significant decline.
/// </summary>
public class DecisionEngineSizingRuleTests
{
    private static readonly DateTimeOffset s_t0 = EngineRig.T0;

    private static ScalePolicy Policy(bool predict = true, double? upTolerance = 0.04, int downWindow = 0) =>
        WithSpec(Auto(min: 1, max: 1000), s => s with
        {
            Behavior = new ScalingBehavior
            {
                ScaleUp = new DirectionBehavior { PeriodSeconds = 15, Tolerance = upTolerance },
                ScaleDown = new DirectionBehavior { PeriodSeconds = 15, StabilizationWindowSeconds = downWindow },
                ChangeBudget = 0,
            },
            Prediction = new PredictionSpec { Enabled = predict, LookAheadSeconds = 45, LookBackSeconds = 120, MaxGrowthFactor = 1.25 },
        });

    /// <summary>Ten minutes of 15 s scrapes around 10k with lognormal noise of the given size (log units).</summary>
    private static List<MetricPoint> Scrapes(double noise, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 40).Select(i => new MetricPoint(s_t0.AddSeconds(15 * i), 10_000 * Math.Exp(noise * Normal(random))))];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static Trend Fit(List<MetricPoint> history) =>
        TrendPredictor.Fit(history, history[^1], TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(60), 1.25);

    [Fact]
    public void Headroom_FollowsVolatility_SmallWhenCalmLargerWhenNoisyAndCapped()
    {
        var calm = Fit(Scrapes(0.005, seed: 1)).Headroom;
        var noisy = Fit(Scrapes(0.06, seed: 1)).Headroom;
        var wild = Fit(Scrapes(0.5, seed: 1)).Headroom;

        Assert.InRange(calm, 0, 0.02); // a calm series carries almost none
        Assert.InRange(noisy, 0.05, 0.2); // a real quiet day's 6 % noise: about its 90th-percentile rise
        Assert.Equal(TrendPredictor.MaxHeadroom, wild); // never more than the cap
    }

    [Fact]
    public void Headroom_IgnoresTheRiseBeingSizedNow()
    {
        var history = Scrapes(0.005, seed: 2);
        history.Add(new MetricPoint(history[^1].Time.AddSeconds(15), 20_000)); // a fresh 2x jump

        Assert.InRange(Fit(history).Headroom, 0, 0.02); // the jump is what is sized now; it does not inflate the margin
    }

    [Fact]
    public void Decide_ScaleUp_LandsAboveTheNeedByTheSeriesOwnHeadroom()
    {
        var calm = Rig(Scrapes(0.005, seed: 3));
        var noisy = Rig(Scrapes(0.06, seed: 3));

        var calmUp = calm.Decide(13_000); // 26 pods measured
        var noisyUp = noisy.Decide(13_000);

        Assert.InRange(calmUp.DesiredReplicas, 26, 27);
        Assert.True(noisyUp.DesiredReplicas >= 28, $"noisy series: {noisyUp.DesiredReplicas}");
        Assert.True(noisyUp.DesiredReplicas <= Math.Ceiling(26 * (1 + TrendPredictor.MaxHeadroom)));
    }

    [Fact]
    public void Decide_ScaleUpWithHeadroom_TheReasonSaysHowTheCountAddsUp()
    {
        // Live (storm walkthrough): "qps 88.1 …; 8/pod -> 14" — 88.1 / 8 is 11, and nothing said where 3 more came from.
        var d = Rig(Scrapes(0.06, seed: 3)).Decide(13_000); // 26 pods measured

        var headroom = (int)Math.Round(((double)d.DesiredReplicas / 26 - 1) * 100);
        Assert.True(d.DesiredReplicas > 26, d.Reason);
        Assert.Matches($@"/pod -> 26, \+\d+% headroom -> {d.DesiredReplicas}(;|,|$)", d.Reason);
        Assert.InRange(headroom, 1, (int)(TrendPredictor.MaxHeadroom * 100) + 4); // the share shown is the one used, give or take the rounding up
    }

    [Fact]
    public void Decide_NeedWithinTheUpTolerance_TheReasonSaysTheCountStandsAndWhy()
    {
        // Live: "qps 63.6; 30/pod -> 2, stay at 2" — 63.6 / 30 is 2.1, and nothing said why that is not 3.
        var rig = new EngineRig(Policy(predict: false, upTolerance: 0.1)) { Spec = 20, Ready = 20 };

        var d = rig.Decide(10_500); // 21 pods' worth: 5 % over the running 20

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Contains("/pod -> 21, within the 10% tolerance of 20", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_CountAboveAnyMeasuredNeed_IsReleasedInsideTheDownBand()
    {
        // 31 pods for a need of 28 (ratio 0.90: inside the 10 % down band), and no measurement asked for more.
        var rig = new EngineRig(Policy(predict: false)) { Spec = 31, Ready = 31 };

        var d = rig.Decide(14_000);

        Assert.Equal(28, d.DesiredReplicas);
    }

    [Fact]
    public void Decide_CountAMeasurementAskedFor_StaysInsideTheDownBand()
    {
        var rig = new EngineRig(Policy(predict: false, downWindow: 300)) { Spec = 31, Ready = 31 };
        rig.Decide(15_000); // 30 pods measured (with the 4 % up band: 31.2), inside the window
        rig.Advance(120);

        var d = rig.Decide(14_000);

        Assert.Equal(31, d.DesiredReplicas); // the HPA's band as before: the count a measurement justified stays
    }

    [Fact]
    public void Decide_StillRising_DoesNotScaleDown()
    {
        var rig = new EngineRig(Policy()) { Spec = 80, Ready = 80 }; // far above the need (e.g. a pin just ended)

        // A significant ramp, +100/s from 10k, one scrape every 15 s read three times.
        var d = rig.Feed(Enumerable.Range(0, 12).SelectMany(i => Enumerable.Repeat(10_000.0 + (i * 1_500), 3)));

        Assert.Equal(80, d.DesiredReplicas);
        Assert.Contains("still rising, not scaling down", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SignificantDecline_ShortensTheDownWindow()
    {
        var rig = new EngineRig(Policy(downWindow: 300)) { Spec = 40, Ready = 40 };

        // From 20k down 1 % per 15 s scrape for 6 minutes: a decline far beyond the noise. The band keeps 40 recorded
        // for the first ~165 s; 300 s later a full window would still hold it.
        var d = rig.Feed(Enumerable.Range(0, 25).SelectMany(i => Enumerable.Repeat(20_000 * Math.Pow(0.99, i), 3)));

        Assert.True(d.DesiredReplicas < 40, d.Reason);
        Assert.Contains($"({DecisionEngine.DecliningWindowSeconds}s window)", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoisyPlateau_KeepsTheFullDownWindow()
    {
        var rig = new EngineRig(Policy(downWindow: 300)) { Spec = 40, Ready = 40 };
        rig.Decide(20_000); // 40 recorded
        var random = new Random(5);

        var d = rig.Feed(Enumerable.Range(0, 16).SelectMany(_ => Enumerable.Repeat(17_000 * Math.Exp(0.03 * Normal(random)), 3)));

        Assert.Equal(40, d.DesiredReplicas); // no significant decline: the 300 s window holds
    }

    private static EngineRig Rig(List<MetricPoint> scrapes)
    {
        var rig = new EngineRig(Policy()) { Spec = 20, Ready = 20 };
        foreach (var point in scrapes)
        {
            rig.History.AddSample("qps", point);
        }

        rig.Clock.SetUtcNow(scrapes[^1].Time.AddSeconds(15));
        return rig;
    }
}
