namespace ScaleControl.Core.Decisions;

/// <summary>
/// The recorded recommendations that can still be the highest or the lowest of some recent span (each higher, or
/// lower, than every later one), oldest first, kept as recommendations arrive and age out. Stabilization asks for the
/// highest over the scale-down window and the lowest over the scale-up window on every evaluation: each is then the
/// first candidate after the window's start, found by a binary search instead of a scan over five minutes of
/// recommendations. Valid only while the recommendations are in time order (<see cref="PolicyHistory"/> stops
/// keeping them when the clock steps back, and scans instead).
/// </summary>
internal sealed class RecommendationExtremes
{
    private readonly SlidingList<Recommended> _highest = new();
    private readonly SlidingList<Recommended> _lowest = new();

    /// <summary>A recommendation no older than every other: those it is at least as high (or as low) as can no longer be the highest (or lowest) of any span.</summary>
    public void Append(long ticks, int replicas)
    {
        var recommended = new Recommended(ticks, replicas);
        Push(_highest, recommended, highest: true);
        Push(_lowest, recommended, highest: false);
    }

    /// <summary>Drops the candidates before <paramref name="cutoffTicks"/> (the recommendations dropped from the history).</summary>
    public void DropBefore(long cutoffTicks)
    {
        DropBefore(_highest, cutoffTicks);
        DropBefore(_lowest, cutoffTicks);
    }

    public void Clear()
    {
        _highest.RemoveLast(_highest.Count);
        _lowest.RemoveLast(_lowest.Count);
    }

    /// <summary>The highest recommendation after <paramref name="fromTicks"/>, or null when none is.</summary>
    public int? HighestAfter(long fromTicks) => FirstAfter(_highest.AsSpan(), fromTicks);

    /// <summary>The lowest recommendation after <paramref name="fromTicks"/>, or null when none is.</summary>
    public int? LowestAfter(long fromTicks) => FirstAfter(_lowest.AsSpan(), fromTicks);

    private static void Push(SlidingList<Recommended> candidates, Recommended added, bool highest)
    {
        var items = candidates.AsSpan();
        var count = items.Length;
        while (count > 0 && (highest ? items[count - 1].Replicas <= added.Replicas : items[count - 1].Replicas >= added.Replicas))
        {
            count--;
        }

        candidates.RemoveLast(items.Length - count);
        candidates.Add(added);
    }

    private static void DropBefore(SlidingList<Recommended> candidates, long cutoffTicks)
    {
        var items = candidates.AsSpan();
        var front = 0;
        while (front < items.Length && items[front].Ticks < cutoffTicks)
        {
            front++;
        }

        if (front > 0)
        {
            candidates.RemoveFirst(front);
        }
    }

    private static int? FirstAfter(ReadOnlySpan<Recommended> candidates, long fromTicks)
    {
        int low = 0, high = candidates.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (candidates[middle].Ticks > fromTicks)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low < candidates.Length ? candidates[low].Replicas : null;
    }

    private readonly record struct Recommended(long Ticks, int Replicas);
}
