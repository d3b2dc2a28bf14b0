using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>Binary searches over samples in time order (a series' samples, its peak candidates).</summary>
internal static class SampleSearch
{
    /// <summary>The index of the first sample later than <paramref name="ticks"/> (UTC), or the length when none is.</summary>
    public static int FirstAfter(ReadOnlySpan<MetricPoint> samples, long ticks)
    {
        int low = 0, high = samples.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (samples[middle].Time.UtcTicks > ticks)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
