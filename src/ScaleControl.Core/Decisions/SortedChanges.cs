using System.Runtime.InteropServices;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The trend's noise median, kept between evaluations of one series: the changes between neighbouring observations
/// as the last evaluation saw them (newest first) and the same values sorted. The next evaluation usually sees the
/// same changes with one added at the front (a new sample) and a few dropped at the back (aged out), so it updates
/// the sorted copy instead of selecting anew; anything else sorts afresh. The median is an order statistic, so the
/// value is exactly the one <see cref="OrderStatistic.Select"/> gives.
/// </summary>
internal sealed class SortedChanges
{
    /// <summary>How many new changes at the front an update takes (more: sorted afresh).</summary>
    private const int MaxAdded = 3;

    private readonly double[] _changes = new double[TrendObservations.MaxPoints];
    private readonly double[] _sorted = new double[TrendObservations.MaxPoints];
    private int _count = -1;

    /// <summary>The median of <paramref name="changes"/> (none NaN, at least one), remembered for the next call.</summary>
    public double Median(ReadOnlySpan<double> changes)
    {
        if (!Update(changes))
        {
            changes.CopyTo(_changes);
            changes.CopyTo(_sorted);
            _sorted.AsSpan(0, changes.Length).Sort();
            _count = changes.Length;
        }

        var k = changes.Length / 2;
        return changes.Length % 2 == 1 ? _sorted[k] : (_sorted[k - 1] + _sorted[k]) / 2;
    }

    /// <summary>Finds the remembered changes after the first few new ones, then drops from the sorted copy what aged out and adds what is new.</summary>
    private bool Update(ReadOnlySpan<double> changes)
    {
        if (_count < 0)
        {
            return false;
        }

        var previous = _changes.AsSpan(0, _count);
        for (var added = 0; added <= MaxAdded && added <= changes.Length; added++)
        {
            var kept = changes.Length - added;
            if (kept > previous.Length || !SameBits(changes[added..], previous[..kept]))
            {
                continue;
            }

            var length = _count;
            foreach (var old in previous[kept..])
            {
                length = Remove(length, old);
            }

            foreach (var value in changes[..added])
            {
                length = Insert(length, value);
            }

            changes.CopyTo(_changes);
            _count = changes.Length;
            return true;
        }

        return false;
    }

    private static bool SameBits(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        MemoryMarshal.Cast<double, long>(a).SequenceEqual(MemoryMarshal.Cast<double, long>(b));

    private int Remove(int length, double value)
    {
        var at = LowerBound(_sorted.AsSpan(0, length), value); // it is there: it was inserted
        _sorted.AsSpan(at + 1, length - at - 1).CopyTo(_sorted.AsSpan(at));
        return length - 1;
    }

    /// <summary>
    /// The first index whose value is not below <paramref name="value"/>. The changes are finite and never −0 (absolute
    /// values), so equal values are the same bits and any place among them gives the same sorted copy; compared with
    /// &lt; directly, not through the generic comparer (an interface-shaped call per step without tiered PGO).
    /// </summary>
    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (sorted[middle] < value)
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

    private int Insert(int length, double value)
    {
        var at = LowerBound(_sorted.AsSpan(0, length), value);
        _sorted.AsSpan(at, length - at).CopyTo(_sorted.AsSpan(at + 1));
        _sorted[at] = value;
        return length + 1;
    }
}
