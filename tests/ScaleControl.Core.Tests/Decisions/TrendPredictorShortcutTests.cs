using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// The trend runs for every policy every tick, so it takes shortcuts (selection instead of sorting, logarithms kept
/// with the history's samples): they must give exactly what the plain computation gives.
/// </summary>
public class TrendPredictorShortcutTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Few distinct values, so ties are common; now and then a NaN, which Sort orders first.</summary>
    private static double[] TiesAndNaNs(Random random, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => random.Next(10) == 0 ? double.NaN : random.Next(6) * 0.25)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(24)]
    [InlineData(47)]
    public void Select_AnyIndex_GivesTheSortedValue(int length)
    {
        var random = new Random(length);
        for (var round = 0; round < 50; round++)
        {
            var values = TiesAndNaNs(random, length);
            var sorted = values.ToArray();
            Array.Sort(sorted);
            for (var k = 0; k < length; k++)
            {
                var scratch = values.ToArray();
                Assert.Equal(sorted[k], OrderStatistic.Select(scratch, k));
                Assert.Equal(sorted.OrderBy(v => v), scratch.OrderBy(v => v)); // reordered, nothing lost
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(35)]
    [InlineData(48)]
    public void SelectNearTopAndLargestBefore_AnyIndex_GiveTheSortedValues(int length)
    {
        var random = new Random(length);
        for (var round = 0; round < 50; round++)
        {
            var values = TiesAndNaNs(random, length);
            var sorted = values.ToArray();
            Array.Sort(sorted);
            for (var k = 0; k < length; k++)
            {
                Assert.Equal(sorted[k], OrderStatistic.SelectNearTop(values.ToArray(), k));
                var scratch = values.ToArray();
                OrderStatistic.Select(scratch, k);
                if (k > 0)
                {
                    Assert.Equal(sorted[k - 1], OrderStatistic.LargestBefore(scratch, k));
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(35)]
    [InlineData(48)]
    public void SelectNearTopFinite_AnyIndex_GivesTheSortedValue(int length)
    {
        // Ties, signed zeros and infinities, never NaN (the headroom's rises of finite observations).
        var random = new Random(length);
        for (var round = 0; round < 50; round++)
        {
            double[] values = [.. Enumerable.Range(0, length).Select(_ => random.Next(12) switch { 0 => -0.0, 1 => double.NegativeInfinity, 2 => double.PositiveInfinity, var v => (v - 6) * 0.25 })];
            var sorted = values.ToArray();
            Array.Sort(sorted);
            for (var k = 0; k < length; k++)
            {
                Assert.Equal(sorted[k], OrderStatistic.SelectNearTopFinite(values.ToArray(), k));
            }
        }
    }

    [Fact]
    public void WindowTicks_IsExactlyTheSecondsComparison()
    {
        // The trend compares whole ticks where it compared TimeSpan.TotalSeconds > 600: the same for every tick count.
        foreach (var ticks in new[] { 0L, 1, TrendObservations.WindowTicks - 1, TrendObservations.WindowTicks, TrendObservations.WindowTicks + 1, long.MaxValue / 2 })
        {
            Assert.Equal(new TimeSpan(ticks).TotalSeconds > 600, ticks > TrendObservations.WindowTicks);
        }
    }

    [Fact]
    public void Fit_OverTheHistorysOwnSeries_EqualsTheFitOverAPlainList()
    {
        var random = new Random(12);
        for (var round = 0; round < 200; round++)
        {
            var history = new PolicyHistory();
            var plain = new List<MetricPoint>();
            var level = 1_000.0;
            var count = random.Next(3, 140);
            for (var i = 0; i < count; i++)
            {
                // Noise, ramps, steps and repeated scrapes (equal values) in one series.
                level = random.Next(4) switch
                {
                    0 => level,
                    1 => level * (1 + ((random.NextDouble() - 0.5) * 0.1)),
                    2 => level * 1.03,
                    _ => random.Next(20) == 0 ? level * 1.8 : level * 0.99,
                };
                var point = new MetricPoint(T0.AddSeconds(i * 5), level);
                history.AddSample("qps", point);
                plain.Add(point);
            }

            var latest = new MetricPoint(T0.AddSeconds((count * 5) + random.Next(0, 10)), level * (1 + (random.NextDouble() * 0.05)));
            var horizon = TimeSpan.FromSeconds(random.Next(15, 120));
            var lookBack = TimeSpan.FromSeconds(random.Next(60, 300));

            var viaSeries = TrendPredictor.Fit(history.Samples("qps"), latest, lookBack, horizon, 2);
            var viaList = TrendPredictor.Fit(plain, latest, lookBack, horizon, 2);

            Assert.Equal(viaList, viaSeries);
        }
    }
}
