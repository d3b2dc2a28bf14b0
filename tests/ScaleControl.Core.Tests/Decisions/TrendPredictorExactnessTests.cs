using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// The lean trend (reused buffers, fused passes, selection, ticks) must decide as the plain computation
/// (<see cref="PlainTrend"/>): every rule's outcome the same, the noise, headroom and swing bit for bit, and the line
/// fit's numbers within rounding (<see cref="AssertSameTrend"/>).
/// </summary>
public class TrendPredictorExactnessTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 12)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fit_RandomSeries_EqualsThePlainComputation(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 150; round++)
        {
            var (history, plain, latest) = Series(random);
            // Horizons on the sample grid too (5 s multiples), where a pairing sits exactly one horizon apart.
            var horizon = TimeSpan.FromSeconds(random.Next(2) == 0 ? random.Next(3, 24) * 5 : random.Next(15, 120) + random.NextDouble());
            var lookBack = TimeSpan.FromSeconds(random.Next(30, 400));
            var growth = 1 + (random.NextDouble() * 2);

            var expected = PlainTrend.Fit(plain, latest, lookBack, horizon, growth);

            AssertSameTrend(expected, TrendPredictor.Fit(history.Samples("qps"), latest, lookBack, horizon, growth));
            AssertSameTrend(expected, TrendPredictor.Fit(plain, latest, lookBack, horizon, growth));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Fit_EvaluatedAsTheLoopDoes_EqualsThePlainComputationEveryTime(int seed)
    {
        // One history over many evaluations (what the trend keeps between them must not change a result): new
        // scrapes, the same scrape read again, several samples between evaluations, trimming, steps and noise.
        var random = new Random(seed);
        var history = new PolicyHistory();
        var time = T0;
        var level = 1_000.0;
        var horizon = TimeSpan.FromSeconds(53);
        var lookBack = TimeSpan.FromSeconds(120);
        for (var evaluation = 0; evaluation < 400; evaluation++)
        {
            time = time.AddSeconds(5);
            var fresh = random.Next(3) != 0;
            if (fresh)
            {
                level = random.Next(40) == 0 ? level * 2 : level * (1 + ((random.NextDouble() - 0.5) * (seed % 3 == 0 ? 0.004 : 0.1)));
            }

            var latest = new MetricPoint(time, level);
            var plain = history.Samples("qps").ToList();

            AssertSameTrend(PlainTrend.Fit(plain, latest, lookBack, horizon, 2), TrendPredictor.Fit(history.Samples("qps"), latest, lookBack, horizon, 2));

            // As the recorder does: the reading joins the history, now and then with a second one, then old ones go.
            history.AddSample("qps", latest);
            if (random.Next(10) == 0)
            {
                time = time.AddSeconds(5);
                history.AddSample("qps", new MetricPoint(time, level * 1.01));
            }

            history.Trim(time, TimeSpan.FromSeconds(random.Next(10) == 0 ? 60 : 605));
        }
    }

    /// <summary>
    /// The same trend, with the line fit's numbers within rounding: the lean fit sums the window once from the newest
    /// observation (Σuu − Σu·Σu/n, <see cref="TrendWindow"/>) where the plain one centres on the means first, which is
    /// the same quantity rounded in another order. Slope and prediction agree to 1e-9, the t statistic to 1e-6 (it
    /// divides by the residual, the difference of two sums) or both beyond ±1e6 (an exact line, whose residual is
    /// rounding either way; any such t passes the test at 3). Every rule's outcome (note, rising, beyond range, whether
    /// there is a prediction) and the noise, headroom and swing, which keep their arithmetic, are equal exactly.
    /// </summary>
    private static void AssertSameTrend(Trend expected, Trend actual)
    {
        Assert.Equal(expected with { SlopePerSecond = 0, TStatistic = 0, Predicted = expected.Predicted is null ? null : 0 }, actual with { SlopePerSecond = 0, TStatistic = 0, Predicted = actual.Predicted is null ? null : 0 });
        AssertClose(expected.SlopePerSecond, actual.SlopePerSecond, 1e-9);
        AssertClose(expected.Predicted ?? 0, actual.Predicted ?? 0, 1e-9);
        if (!(Math.Abs(expected.TStatistic) > 1e6 && Math.Abs(actual.TStatistic) > 1e6 && Math.Sign(expected.TStatistic) == Math.Sign(actual.TStatistic)))
        {
            AssertClose(expected.TStatistic, actual.TStatistic, 1e-6);
        }
    }

    private static void AssertClose(double expected, double actual, double relative)
    {
        if (expected != actual)
        {
            Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(1, Math.Max(Math.Abs(expected), Math.Abs(actual))), $"expected {expected:R}, got {actual:R}");
        }
    }

    /// <summary>One series of noise, ramps, steps and repeated scrapes, as the history keeps it and as a plain list.</summary>
    private static (PolicyHistory History, List<MetricPoint> Plain, MetricPoint Latest) Series(Random random)
    {
        var history = new PolicyHistory();
        var plain = new List<MetricPoint>();
        var level = 50 + (random.NextDouble() * 20_000);
        var count = random.Next(0, 220);
        var spacing = random.Next(3) switch { 0 => 5.0, 1 => 15.0, _ => 1 + (random.NextDouble() * 20) };
        var time = T0;
        for (var i = 0; i < count; i++)
        {
            level = random.Next(6) switch
            {
                0 => level, // the same scrape read again
                1 => level * (1 + ((random.NextDouble() - 0.5) * 0.1)),
                2 => level * 1.03,
                3 => random.Next(15) == 0 ? level * 2.5 : level * 0.99,
                4 => Math.Round(level / 10) * 10, // coarse values repeat
                _ => level * (1 + ((random.NextDouble() - 0.5) * 0.01)),
            };
            time = time.AddSeconds(spacing);
            var point = new MetricPoint(time, level);
            history.AddSample("qps", point);
            plain.Add(point);
        }

        // The reading being decided on: usually newer than the history, sometimes the last sample again.
        var latest = random.Next(8) switch
        {
            0 when count > 0 => plain[^1],
            1 when count > 0 => new MetricPoint(plain[^1].Time.AddSeconds(5), plain[^1].Value),
            _ => new MetricPoint(time.AddSeconds(random.Next(1, 16)), level * (1 + (random.NextDouble() * 0.3))),
        };
        return (history, plain, latest);
    }
}
