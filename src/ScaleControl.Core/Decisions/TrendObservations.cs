using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    /// <summary>Each observation's time in UTC ticks (the kept runs' scan derives <see cref="X"/> from them).</summary>
    private long[] Ticks { get; } = new long[MaxPoints];

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
        var o = t_buffers ??= new TrendObservations();
        if (history is SampleSeries series)
        {
            // The history's own series keeps its runs of equal values: one entry per observation instead of every sample.
            o.FillFromRuns(series, latest);
        }
        else
        {
            o.Fill([.. history], latest);
        }

        return o;
    }

    /// <summary>
    /// The same observations as <see cref="Fill"/> finds, read from the series' runs: a run is an observation dated
    /// from its first sample within the window (the 48th from its last: the scan does not look further back there).
    /// Samples newer than <paramref name="latest"/> are a suffix of the series, which the scan skips: the runs are
    /// read as if the series ended at <paramref name="latest"/>.
    /// </summary>
    private void FillFromRuns(SampleSeries series, MetricPoint latest)
    {
        var runs = series.Runs;
        var first = runs.First;
        var last = runs.Last;
        var log = runs.Log;
        var latestTicks = latest.Time.UtcTicks;
        var r = runs.Count - 1;
        while (r >= 0 && first[r] > latestTicks)
        {
            r--;
        }

        // The newest run at or before the latest reading: its last sample and value (looked up when it runs past it).
        var newest = r;
        long newestLast = 0;
        var newestValue = runs.NewestValue;
        if (r >= 0)
        {
            newestLast = last[r];
            if (newestLast > latestTicks || r < runs.Count - 1)
            {
                var at = LastAtOrBefore(series.Entries, latestTicks);
                (newestLast, newestValue) = (series.Entries[at].Time.UtcTicks, series.Entries[at].Value);
            }
        }

        var ticks = Ticks.AsSpan();
        var y = Y.AsSpan();
        var runTicks = latestTicks;
        var more = true;
        if (r >= 0 && latestTicks - newestLast <= WindowTicks && newestValue == latest.Value)
        {
            // The latest reading continues the newest run: the observation dates from the run's first sample.
            (runTicks, more) = latestTicks - first[r] <= WindowTicks ? (first[r], true) : (FirstWithin(series, latestTicks), false);
            r--;
        }

        ticks[0] = runTicks;
        y[0] = TrendPredictor.LogOf(latest.Value);
        var n = 1;
        if (more && r >= 0)
        {
            // Runs lowFull..r lie wholly in the window (first samples ascend): each is an observation dated from its
            // first sample, newest first, up to the 48th, which is dated from its last sample.
            var lowFull = FirstWithinWindow(first[..(r + 1)], latestTicks);
            var taken = Math.Min(r - lowFull + 1, MaxPoints - n);
            CopyReversed(first.Slice(r - taken + 1, taken), ticks[n..]);
            CopyReversed(MemoryMarshal.Cast<double, long>(log.Slice(r - taken + 1, taken)), MemoryMarshal.Cast<double, long>(y[n..]));

            n += taken;
            r -= taken;
            if (n == MaxPoints)
            {
                ticks[n - 1] = r + 1 == newest ? newestLast : last[r + 1];
            }
            else if (r >= 0 && latestTicks - (r == newest ? newestLast : last[r]) <= WindowTicks)
            {
                // The run began before the window: dated from its first sample inside it (the 48th: its last), and the scan ends there.
                ticks[n] = n == MaxPoints - 1 ? (r == newest ? newestLast : last[r]) : FirstWithin(series, latestTicks);
                y[n] = log[r];
                n++;
            }
        }

        Count = n;
        Derive(n, latestTicks);
    }

    /// <summary>
    /// From the observations' ticks and logarithms: <see cref="X"/> in seconds before the latest reading (as
    /// <see cref="TimeSpan.TotalSeconds"/> divides), the neighbour changes and the extremes (as folding
    /// <see cref="Math.Max(double, double)"/> and <see cref="Math.Min(double, double)"/>), four at a time: the same
    /// correctly rounded operations lane by lane, so the same bits, without a dependency from one observation to the next.
    /// </summary>
    private void Derive(int n, long latestTicks)
    {
        var ticks = Ticks.AsSpan(0, n);
        var x = X.AsSpan(0, n);
        var y = Y.AsSpan(0, n);
        var changes = Changes.AsSpan();
        var latest = Vector256.Create(latestTicks);
        var perSecond = Vector256.Create((double)TimeSpan.TicksPerSecond);
        var max = Vector256.Create(double.NegativeInfinity);
        var min = Vector256.Create(double.PositiveInfinity);
        var i = 0;
        for (; i + 4 <= n; i += 4)
        {
            (Vector256.ConvertToDouble(Vector256.Create<long>(ticks[i..]) - latest) / perSecond).CopyTo(x[i..]);
            var values = Vector256.Create<double>(y[i..]);
            max = Vector256.Max(max, values);
            min = Vector256.Min(min, values);
        }

        double highest = double.NegativeInfinity, lowest = double.PositiveInfinity;
        for (var lane = 0; lane < 4; lane++)
        {
            highest = Math.Max(highest, max[lane]);
            lowest = Math.Min(lowest, min[lane]);
        }

        for (; i < n; i++)
        {
            x[i] = new TimeSpan(ticks[i] - latestTicks).TotalSeconds;
            highest = Math.Max(highest, y[i]);
            lowest = Math.Min(lowest, y[i]);
        }

        i = 0;
        for (; i + 5 <= n; i += 4)
        {
            Vector256.Abs(Vector256.Create<double>(y[i..]) - Vector256.Create<double>(y[(i + 1)..])).CopyTo(changes[i..]);
        }

        for (; i + 1 < n; i++)
        {
            changes[i] = Math.Abs(y[i] - y[i + 1]);
        }

        Max = highest;
        Min = lowest;
    }

    /// <summary>Copies <paramref name="source"/> into the start of <paramref name="target"/>, last element first, four at a time (doubles as their bits).</summary>
    private static void CopyReversed(ReadOnlySpan<long> source, Span<long> target)
    {
        var end = source.Length;
        var i = 0;
        for (; i + 4 <= end; i += 4)
        {
            // The indices written in the call are a constant the JIT turns into one permute (kept in a local, it checks them at run time).
            Vector256.Shuffle(Vector256.Create(source[(end - i - 4)..]), Vector256.Create(3L, 2, 1, 0)).CopyTo(target[i..]);
        }

        for (; i < end; i++)
        {
            target[i] = source[end - i - 1];
        }
    }

    /// <summary>The first of <paramref name="first"/> (ascending) no more than <see cref="WindowTicks"/> before <paramref name="latestTicks"/>.</summary>
    private static int FirstWithinWindow(ReadOnlySpan<long> first, long latestTicks)
    {
        int low = 0, high = first.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (latestTicks - first[middle] > WindowTicks)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>The index of the last sample at or before <paramref name="ticks"/> (there is one).</summary>
    private static int LastAtOrBefore(ReadOnlySpan<MetricPoint> entries, long ticks) => SampleSearch.FirstAfter(entries, ticks) - 1;

    /// <summary>The first sample no more than <see cref="WindowTicks"/> before <paramref name="latestTicks"/>.</summary>
    private static long FirstWithin(SampleSeries series, long latestTicks) =>
        series.Entries[SampleSearch.FirstAfter(series.Entries, latestTicks - WindowTicks - 1)].Time.UtcTicks;

    /// <summary>The scan itself: no calls inside the loop, so the running values stay in registers.</summary>
    private void Fill(ReadOnlySpan<MetricPoint> entries, MetricPoint latest)
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
                var ticks = entries[i].Time.UtcTicks;
                if (ticks > latestTicks)
                {
                    continue;
                }

                if (latestTicks - ticks > WindowTicks)
                {
                    i = -1;
                    break;
                }

                if (entries[i].Value != runValue)
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
            runValue = entries[i].Value;
            runLog = TrendPredictor.LogOf(runValue);
            runTicks = entries[i].Time.UtcTicks;
            i--;
        }

        Count = n;
        Max = max;
        Min = min;
    }
}
