using System.Collections;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// One metric's samples in <see cref="PolicyHistory"/>, in time order, each with the logarithm the trend works in,
/// computed once when the sample is recorded instead of on every evaluation that looks back over it.
/// </summary>
internal sealed class SampleSeries : IReadOnlyList<MetricPoint>
{
    private readonly SlidingList<Entry> _entries = new();

    public int Count => _entries.Count;

    public MetricPoint this[int index] => _entries[index].Point;

    /// <summary>The samples with their logarithms, oldest first (valid until the series next changes).</summary>
    internal ReadOnlySpan<Entry> Entries => _entries.AsSpan();

    internal SlidingList<Entry> List => _entries;

    private SortedChanges? _noise;

    /// <summary>
    /// The trend's noise memo for this series, taken for one evaluation and given back after (<see cref="ReturnNoise"/>):
    /// two evaluations at once never share it (the second gets a fresh one).
    /// </summary>
    internal SortedChanges TakeNoise() => Interlocked.Exchange(ref _noise, null) ?? new SortedChanges();

    internal void ReturnNoise(SortedChanges memo) => _noise = memo;

    /// <summary>Samples arrive in time order; a repeated timestamp (same scrape seen twice) replaces the last one, an older one is ignored.</summary>
    internal void Add(MetricPoint point)
    {
        if (_entries.Count > 0 && _entries[^1].Point.Time >= point.Time)
        {
            if (_entries[^1].Point.Time == point.Time)
            {
                _entries.SetLast(new Entry(point));
            }

            return;
        }

        _entries.Add(new Entry(point));
    }

    public IEnumerator<MetricPoint> GetEnumerator()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            yield return _entries[i].Point;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A sample and its logarithm (<see cref="TrendPredictor.LogOf"/>).</summary>
    internal readonly struct Entry(MetricPoint point)
    {
        public MetricPoint Point { get; } = point;

        public double Log { get; } = TrendPredictor.LogOf(point.Value);
    }
}
