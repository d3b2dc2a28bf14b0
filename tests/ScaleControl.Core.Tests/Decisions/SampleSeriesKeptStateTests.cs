using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// What a series keeps between evaluations (its runs of equal values, its peak candidates) must give exactly what a
/// scan over all its samples gives, after any sequence of samples, repeats, replaced scrapes, gaps, NaN, −0 and trims:
/// the trend's observations bit for bit and the measured peak as folding <see cref="Math.Max(double, double)"/>.
/// </summary>
public class SampleSeriesKeptStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 16)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void KeptState_AfterRandomChanges_EqualsTheFullScan(int seed)
    {
        var random = new Random(seed);
        var history = new PolicyHistory();
        var time = T0;
        var value = 1_000.0;
        var scanned = 0;
        for (var step = 0; step < 1_500; step++)
        {
            // Mostly new samples (small or large gaps, repeats, a few special values), now and then a scrape read
            // again with another value, an older sample (ignored) or a trim.
            switch (random.Next(20))
            {
                case 0:
                    history.AddSample("qps", new MetricPoint(time, NextValue(random, value)));
                    break;
                case 1:
                    history.AddSample("qps", new MetricPoint(time.AddSeconds(-random.Next(1, 30)), NextValue(random, value)));
                    break;
                case 2:
                    history.Trim(time, TimeSpan.FromTicks(random.Next(4) == 0 ? random.Next(0, 50_000_000) : random.NextInt64(0, 7_000_000_000)));
                    break;
                default:
                    time = time.AddTicks(Gap(random));
                    value = NextValue(random, value);
                    history.AddSample("qps", new MetricPoint(time, value));
                    break;
            }

            var series = (SampleSeries)history.Samples("qps");
            var plain = series.ToList();
            for (var probe = 0; probe < 3; probe++)
            {
                var latest = Latest(random, plain, time, value);
                AssertSameObservations(series, plain, latest);
                var from = latest.Time.AddTicks(-random.NextInt64(0, 4_000_000_000));
                if (AssertSamePeak(series, plain, latest.Value, from))
                {
                    scanned++;
                }
            }
        }

        Assert.True(scanned > 0, "no NaN or −0 was ever kept: the scan's fallback went untested");
    }

    [Fact]
    public void Observations_RunLongerThanTheWindow_DatedFromItsFirstSampleInside()
    {
        // A value read unchanged for 15 minutes, then a new one: the old run starts before the 600 s window.
        var history = new PolicyHistory();
        for (var s = 0; s <= 900; s += 15)
        {
            history.AddSample("qps", new MetricPoint(T0.AddSeconds(s), 500));
        }

        history.AddSample("qps", new MetricPoint(T0.AddSeconds(915), 800));
        var series = (SampleSeries)history.Samples("qps");
        var latest = new MetricPoint(T0.AddSeconds(925), 800);

        var o = AssertSameObservations(series, [.. series], latest);

        Assert.Equal(2, o.Count);
        Assert.Equal(-10, o.X[0]); // the latest reading continues the newest run, dated from its first sample
        Assert.Equal(-595, o.X[1]); // the first sample of the old run inside the window (t = 330 s)
    }

    [Fact]
    public void Observations_MoreRunsThanKept_The48thDatedFromItsLastSample()
    {
        // Sixty runs of two samples each, 1 s apart: the scan stops at 48 observations without following the last run back.
        var history = new PolicyHistory();
        for (var i = 0; i < 120; i++)
        {
            history.AddSample("qps", new MetricPoint(T0.AddSeconds(i), 100 + (i / 2)));
        }

        var series = (SampleSeries)history.Samples("qps");
        var o = AssertSameObservations(series, [.. series], new MetricPoint(T0.AddSeconds(120), 1));

        Assert.Equal(TrendObservations.MaxPoints, o.Count);
        Assert.Equal(-2 * 46, o.X[46]); // each observation dated from its run's first sample (at 28 s here) ...
        Assert.Equal(27 - 120, o.X[47]); // ... but the 48th (value 113, samples at 26 s and 27 s) from its last
    }

    [Fact]
    public void Peak_ReplacedScrapeReadsLower_OldValueNoLongerCounts()
    {
        var history = new PolicyHistory();
        history.AddSample("qps", new MetricPoint(T0, 100));
        history.AddSample("qps", new MetricPoint(T0.AddSeconds(5), 300));
        history.AddSample("qps", new MetricPoint(T0.AddSeconds(5), 200)); // the same scrape, read again with another value
        var series = (SampleSeries)history.Samples("qps");

        Assert.True(series.TryPeakSince(50, T0.AddSeconds(-1).UtcTicks, out var peak));
        Assert.Equal(200, peak);
        Assert.Equal([100, 200], series.Select(p => p.Value));
    }

    /// <summary>The kept observations against the scan over a plain copy; returns a copy of them.</summary>
    private static Observed AssertSameObservations(SampleSeries series, List<MetricPoint> plain, MetricPoint latest)
    {
        // Both calls fill this thread's buffers: the first result is copied out before the second call.
        var kept = Observed.Of(TrendObservations.Collect(series, latest));
        var scanned = Observed.Of(TrendObservations.Collect(plain, latest));
        Assert.Equal(scanned.Count, kept.Count);
        Assert.Equal(Bits(scanned.X), Bits(kept.X));
        Assert.Equal(Bits(scanned.Y), Bits(kept.Y));
        Assert.Equal(Bits(scanned.Changes), Bits(kept.Changes));
        Assert.Equal(BitConverter.DoubleToInt64Bits(scanned.Max), BitConverter.DoubleToInt64Bits(kept.Max));
        Assert.Equal(BitConverter.DoubleToInt64Bits(scanned.Min), BitConverter.DoubleToInt64Bits(kept.Min));
        return kept;
    }

    /// <summary>The kept peak against folding Math.Max over the samples after <paramref name="from"/>; true when the series asked for the scan.</summary>
    private static bool AssertSamePeak(SampleSeries series, List<MetricPoint> plain, double latest, DateTimeOffset from)
    {
        var expected = latest;
        for (var i = plain.Count - 1; i >= 0 && plain[i].Time > from; i--)
        {
            expected = Math.Max(expected, plain[i].Value);
        }

        if (!series.TryPeakSince(latest, from.UtcTicks, out var peak))
        {
            Assert.Contains(plain, p => double.IsNaN(p.Value) || BitConverter.DoubleToInt64Bits(p.Value) == BitConverter.DoubleToInt64Bits(-0.0));
            return true;
        }

        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(peak));
        return false;
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    /// <summary>Gaps of a fraction of a second to beyond the trend's window; usually a few seconds.</summary>
    private static long Gap(Random random) => random.Next(10) switch
    {
        0 => random.NextInt64(1, 10_000_000),
        1 => random.NextInt64(100_000_000, 7_000_000_000),
        _ => random.Next(1, 4) * 50_000_000L,
    };

    private static double NextValue(Random random, double value) => random.Next(24) switch
    {
        0 => double.NaN,
        1 => -0.0,
        2 => 0.0,
        3 => double.PositiveInfinity,
        < 12 => value, // the same scrape read again
        < 16 => random.Next(5) * 100.0, // coarse values that come back
        _ => Math.Max(1, double.IsFinite(value) ? value : 1_000) * (1 + ((random.NextDouble() - 0.5) * 0.2)),
    };

    /// <summary>The reading decided on: usually newer, sometimes the last sample's time or value, sometimes older than samples kept, or far ahead.</summary>
    private static MetricPoint Latest(Random random, List<MetricPoint> plain, DateTimeOffset time, double value) => random.Next(8) switch
    {
        0 when plain.Count > 0 => plain[^1],
        1 when plain.Count > 0 => new MetricPoint(plain[^1].Time.AddSeconds(random.Next(1, 20)), plain[^1].Value),
        2 when plain.Count > 0 => new MetricPoint(plain[random.Next(plain.Count)].Time, value),
        3 => new MetricPoint(time.AddSeconds(random.Next(590, 620)), plain.Count > 0 ? plain[^1].Value : value),
        _ => new MetricPoint(time.AddTicks(random.NextInt64(0, 200_000_000)), NextValue(random, value)),
    };

    private sealed record Observed(int Count, double[] X, double[] Y, double[] Changes, double Max, double Min)
    {
        public static Observed Of(TrendObservations o) =>
            new(o.Count, o.X[..o.Count], o.Y[..o.Count], o.Changes[..Math.Max(0, o.Count - 1)], o.Max, o.Min);
    }
}
