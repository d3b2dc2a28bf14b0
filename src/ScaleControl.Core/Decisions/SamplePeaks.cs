using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The samples that can still be the highest of some recent span (each higher than every later one), oldest first,
/// kept as samples arrive and age out: the highest sample after any time is then the first of them after it, found
/// by a binary search instead of a scan over five minutes of samples on every evaluation. Exact only for values that
/// are not NaN and not −0 (where <see cref="Math.Max(double, double)"/> is not a plain comparison): the series counts
/// those and does not ask then.
/// </summary>
internal sealed class SamplePeaks
{
    private readonly SlidingList<MetricPoint> _candidates = new();

    /// <summary>A sample newer than every other: the ones it is at least as high as can no longer be the highest of any span.</summary>
    public void Append(MetricPoint point)
    {
        var count = _candidates.Count;
        var items = _candidates.AsSpan();
        while (count > 0 && items[count - 1].Value <= point.Value)
        {
            count--;
        }

        _candidates.RemoveLast(_candidates.Count - count);
        _candidates.Add(point);
    }

    /// <summary>Drops the candidates before <paramref name="cutoffTicks"/> (the samples dropped from the series).</summary>
    public void DropBefore(long cutoffTicks)
    {
        var items = _candidates.AsSpan();
        var front = 0;
        while (front < items.Length && items[front].Time.UtcTicks < cutoffTicks)
        {
            front++;
        }

        if (front > 0)
        {
            _candidates.RemoveFirst(front);
        }
    }

    /// <summary>Starts again from <paramref name="samples"/> (after the newest sample was replaced by another value).</summary>
    public void Rebuild(ReadOnlySpan<MetricPoint> samples)
    {
        _candidates.RemoveLast(_candidates.Count);
        foreach (var sample in samples)
        {
            Append(sample);
        }
    }

    /// <summary>The highest sample after <paramref name="fromTicks"/>, if any.</summary>
    public bool TryHighestAfter(long fromTicks, out double highest)
    {
        var items = _candidates.AsSpan();
        var first = SampleSearch.FirstAfter(items, fromTicks);
        highest = first < items.Length ? items[first].Value : double.NegativeInfinity;
        return first < items.Length;
    }
}
