using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The distinct observations the trend works on, newest first: <see cref="X"/> in seconds before the latest reading
/// (≤ 0), <see cref="Y"/> = ln(value), <see cref="Changes"/>[i] = |Y[i] − Y[i + 1]|, and the highest and lowest Y.
/// One collection pass fills all of them in buffers reused per thread: the trend runs for every policy every tick.
/// </summary>
internal sealed class TrendObservations
{
    public const int MaxPoints = 48;

    /// <summary>
    /// Observations more than this before the latest reading are not looked at (600 s in ticks: for whole ticks,
    /// "more than 6e9 ticks" is exactly "TotalSeconds > 600", pinned by a test).
    /// </summary>
    public const long WindowTicks = 600 * TimeSpan.TicksPerSecond;

    [ThreadStatic]
    private static TrendObservations? t_buffers;

    public double[] X { get; } = new double[MaxPoints];

    public double[] Y { get; } = new double[MaxPoints];

    public double[] Changes { get; } = new double[MaxPoints];

    /// <summary>Scratch for the level-shift test's prefix sums and the headroom's rises.</summary>
    public double[] Sums { get; } = new double[MaxPoints + 1];

    public double[] Squares { get; } = new double[MaxPoints + 1];

    public double[] Rises { get; } = new double[MaxPoints];

    public int Count { get; private set; }

    public double Max { get; private set; }

    public double Min { get; private set; }

    /// <summary>
    /// The observations of <paramref name="history"/> (in time order) and <paramref name="latest"/>, in this thread's
    /// buffers (valid until the next call on the thread). A value read again (the same scrape) is one observation,
    /// dated from its first reading; at most <see cref="MaxPoints"/>, within <see cref="WindowTicks"/>.
    /// </summary>
    public static TrendObservations Collect(IReadOnlyList<MetricPoint> history, MetricPoint latest)
    {
        // The history's own series carries each sample's logarithm; any other list has them computed here.
        var entries = history is SampleSeries series ? series.Entries : [.. history.Select(p => new SampleSeries.Entry(p))];
        var o = t_buffers ??= new TrendObservations();
        o.Fill(entries, latest);
        return o;
    }

    /// <summary>The scan itself: no calls inside the loop, so the running values stay in registers.</summary>
    private void Fill(ReadOnlySpan<SampleSeries.Entry> entries, MetricPoint latest)
    {
        var x = X.AsSpan();
        var y = Y.AsSpan();
        var changes = Changes.AsSpan();
        var n = 0;
        double max = double.NegativeInfinity, min = double.PositiveInfinity;

        // Times as UTC ticks: the same comparisons and differences DateTimeOffset makes, without its conversions.
        var latestTicks = latest.Time.UtcTicks;
        var runValue = latest.Value;
        var runLog = TrendPredictor.LogOf(latest.Value);
        var runTicks = latestTicks;
        var i = entries.Length - 1;
        while (true)
        {
            // Back to the first reading of the current run, or to where the scan stops.
            var next = false;
            for (; i >= 0 && n < MaxPoints - 1; i--)
            {
                var ticks = entries[i].Point.Time.UtcTicks;
                if (ticks > latestTicks)
                {
                    continue;
                }

                if (latestTicks - ticks > WindowTicks)
                {
                    i = -1;
                    break;
                }

                if (entries[i].Point.Value != runValue)
                {
                    next = true;
                    break;
                }

                runTicks = ticks; // the same scrape read again: the observation dates from its first reading
            }

            x[n] = new TimeSpan(runTicks - latestTicks).TotalSeconds;
            y[n] = runLog;
            if (n > 0)
            {
                changes[n - 1] = Math.Abs(y[n - 1] - runLog);
            }

            max = Extremes.Max(max, runLog);
            min = Extremes.Min(min, runLog);
            n++;
            if (!next)
            {
                break;
            }

            // Entry i starts the next (older) run.
            runValue = entries[i].Point.Value;
            runLog = entries[i].Log;
            runTicks = entries[i].Point.Time.UtcTicks;
            i--;
        }

        Count = n;
        Max = max;
        Min = min;
    }
}
