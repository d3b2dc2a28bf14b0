namespace ScaleControl.Core.Decisions;

/// <summary>
/// The k-th smallest of a few values without sorting them all: the trend's noise median and headroom quantile are
/// taken on every evaluation of every policy. Gives the value <see cref="MemoryExtensions.Sort{T}(Span{T})"/> would
/// put at index k (NaN orders first, as there).
/// </summary>
internal static class OrderStatistic
{
    /// <summary>Reorders <paramref name="values"/> so that index <paramref name="k"/> holds its sorted value, nothing greater before it and nothing smaller after it; returns that value.</summary>
    public static double Select(Span<double> values, int k)
    {
        // Wirth's selection: partition around the value at k, keep the side that holds k.
        var low = 0;
        var high = values.Length - 1;
        while (low < high)
        {
            var pivot = values[k];
            var i = low;
            var j = high;
            do
            {
                while (Less(values[i], pivot))
                {
                    i++;
                }

                while (Less(pivot, values[j]))
                {
                    j--;
                }

                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            while (i <= j);

            if (j < k)
            {
                low = i;
            }

            if (k < i)
            {
                high = j;
            }
        }

        return values[k];
    }

    /// <summary>
    /// After <see cref="Select"/>(<paramref name="values"/>, <paramref name="k"/>): the value sorted at k − 1, the
    /// largest of those left before k (a median of an even count needs both middles, and a second selection costs more).
    /// </summary>
    public static double LargestBefore(ReadOnlySpan<double> values, int k)
    {
        var largest = values[0];
        for (var i = 1; i < k; i++)
        {
            if (Less(largest, values[i]))
            {
                largest = values[i];
            }
        }

        return largest;
    }

    /// <summary>
    /// The value <see cref="Select"/> gives for an index near the end (a high quantile): one pass keeping the few
    /// values above it in order, instead of partitioning them all. Falls back to <see cref="Select"/> for a lower index.
    /// </summary>
    public static double SelectNearTop(Span<double> values, int k) => SelectNearTop<WithNaN>(values, k);

    /// <summary><see cref="SelectNearTop(Span{double}, int)"/> for values none of which is NaN: ordered by &lt; alone.</summary>
    public static double SelectNearTopFinite(Span<double> values, int k) => SelectNearTop<WithoutNaN>(values, k);

    private static double SelectNearTop<TOrder>(Span<double> values, int k)
        where TOrder : IOrder
    {
        var kept = values.Length - k;
        if (kept > MaxKept)
        {
            return Select(values, k);
        }

        // The `kept` largest so far, smallest first: top[0] is the value sorted at k once all have been seen.
        Span<double> top = stackalloc double[MaxKept];
        var filled = 0;
        foreach (var value in values)
        {
            int at;
            if (filled < kept)
            {
                // Still filling: insert from the top end.
                at = filled++;
                while (at > 0 && TOrder.Less(value, top[at - 1]))
                {
                    top[at] = top[at - 1];
                    at--;
                }
            }
            else if (TOrder.Less(top[0], value))
            {
                // Full: the smallest kept makes room, the ones below the new value move down.
                at = 0;
                while (at + 1 < kept && TOrder.Less(top[at + 1], value))
                {
                    top[at] = top[at + 1];
                    at++;
                }
            }
            else
            {
                continue;
            }

            top[at] = value;
        }

        return top[0];
    }

    private const int MaxKept = 8;

    private static bool Less(double a, double b) => a < b || (double.IsNaN(a) && !double.IsNaN(b));

    private interface IOrder
    {
        static abstract bool Less(double a, double b);
    }

    /// <summary>The sort order, NaN first.</summary>
    private readonly struct WithNaN : IOrder
    {
        public static bool Less(double a, double b) => OrderStatistic.Less(a, b);
    }

    /// <summary>The same order for values that are never NaN.</summary>
    private readonly struct WithoutNaN : IOrder
    {
        public static bool Less(double a, double b) => a < b;
    }
}
