using System.Collections;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// One metric's samples in <see cref="PolicyHistory"/>, in time order, with what the hot path reads kept up to date as
/// samples arrive and age out instead of rescanned on every evaluation: the runs of equal values with their logarithms
/// (<see cref="Runs"/>, the trend's observations) and the candidates for the highest sample since a time
/// (<see cref="SamplePeaks"/>, the measured peak).
/// </summary>
internal sealed class SampleSeries : IReadOnlyList<MetricPoint>
{
    private readonly SlidingList<MetricPoint> _entries = new();
    private readonly SampleRuns _runs = new();
    private readonly SamplePeaks _peaks = new();

    /// <summary>Samples that are NaN or −0, for which the peaks' comparisons are not <see cref="Math.Max(double, double)"/>.</summary>
    private int _unordered;

    /// <summary>The newest sample was replaced by another value: the peaks are rebuilt when next asked.</summary>
    private bool _peaksStale;

    private SortedChanges? _noise;

    /// <summary>The newest sample's time (UTC ticks), so an append need not read the samples' array (a cache miss per evaluation).</summary>
    private long _newestTicks;

    public int Count => _entries.Count;

    public MetricPoint this[int index] => _entries[index];

    /// <summary>The samples, oldest first (valid until the series next changes).</summary>
    internal ReadOnlySpan<MetricPoint> Entries => _entries.AsSpan();

    /// <summary>The runs of equal values, oldest first (valid until the series next changes).</summary>
    internal SampleRuns Runs => _runs;

    /// <summary>
    /// The trend's noise memo for this series, taken for one evaluation and given back after (<see cref="ReturnNoise"/>):
    /// two evaluations at once never share it (the second gets a fresh one).
    /// </summary>
    internal SortedChanges TakeNoise() => Interlocked.Exchange(ref _noise, null) ?? new SortedChanges();

    internal void ReturnNoise(SortedChanges memo) => _noise = memo;

    /// <summary>Samples arrive in time order; a repeated timestamp (same scrape seen twice) replaces the last one, an older one is ignored.</summary>
    internal void Add(MetricPoint point)
    {
        var ticks = point.Time.UtcTicks;
        if (_entries.Count > 0 && _newestTicks >= ticks)
        {
            if (_newestTicks == ticks)
            {
                Replace(point);
            }

            return;
        }

        _entries.Add(point);
        _newestTicks = ticks;
        Added(point);
    }

    /// <summary>
    /// The highest of <paramref name="latest"/> and the samples after <paramref name="fromTicks"/>, exactly as folding
    /// <see cref="Math.Max(double, double)"/> over them; false when a NaN or −0 sample is kept (the caller scans).
    /// </summary>
    internal bool TryPeakSince(double latest, long fromTicks, out double peak)
    {
        peak = latest;
        if (_unordered > 0)
        {
            return false;
        }

        if (_peaksStale)
        {
            _peaks.Rebuild(Entries);
            _peaksStale = false;
        }

        if (_peaks.TryHighestAfter(fromTicks, out var highest))
        {
            peak = Math.Max(latest, highest);
        }

        return true;
    }

    /// <summary>Drops the samples before <paramref name="cutoffTicks"/> (they are in time order: only the front).</summary>
    internal void DropBefore(long cutoffTicks)
    {
        var items = _entries.AsSpan();
        var front = 0;
        while (front < items.Length && items[front].Time.UtcTicks < cutoffTicks)
        {
            _unordered -= Unordered(items[front].Value);
            front++;
        }

        if (front == 0)
        {
            return;
        }

        _entries.RemoveFirst(front);
        _runs.DropBefore(cutoffTicks, _entries.Count > 0 ? _entries[0].Time.UtcTicks : null);
        _peaks.DropBefore(cutoffTicks);
    }

    public IEnumerator<MetricPoint> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Added(MetricPoint point)
    {
        _runs.Append(point.Time.UtcTicks, point.Value);
        _peaks.Append(point);
        _unordered += Unordered(point.Value);
    }

    /// <summary>The same scrape seen again: nothing changes when it reads the same; otherwise the newest sample is taken out and the new one added.</summary>
    private void Replace(MetricPoint point)
    {
        var old = _entries[^1];
        if (BitConverter.DoubleToInt64Bits(old.Value) == BitConverter.DoubleToInt64Bits(point.Value) && old.Time.Offset == point.Time.Offset)
        {
            return;
        }

        _entries.SetLast(point);
        _runs.RemoveNewest(_entries.Count > 1 ? _entries[^2] : null);
        _unordered -= Unordered(old.Value);
        _peaksStale = true;
        _runs.Append(point.Time.UtcTicks, point.Value);
        _unordered += Unordered(point.Value);
    }

    private static int Unordered(double value) => double.IsNaN(value) || double.IsNegative(value) && value == 0 ? 1 : 0;
}
