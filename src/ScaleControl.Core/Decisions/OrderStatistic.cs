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

    private static bool Less(double a, double b) => a < b || (double.IsNaN(a) && !double.IsNaN(b));
}
