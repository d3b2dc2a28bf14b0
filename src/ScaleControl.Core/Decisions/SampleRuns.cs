using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// A series' runs (consecutive samples of equal value: the same scrape read again), oldest first, kept as samples
/// arrive and age out so the trend reads one small entry per observation instead of every sample. Each run keeps the
/// time of its first and last sample (UTC ticks) and its logarithm, in separate arrays: the trend's scan reads only
/// the first two (<see cref="First"/>, <see cref="Log"/>). Samples arrive in strictly increasing time.
/// </summary>
internal sealed class SampleRuns
{
    private long[] _first = [];
    private long[] _last = [];
    private double[] _log = [];
    private int _start;
    private int _count;

    public int Count => _count;

    /// <summary>The value of the newest run's samples (equal by ==; meaningless when <see cref="Count"/> is 0).</summary>
    public double NewestValue { get; private set; }

    /// <summary>Each run's first sample, oldest run first.</summary>
    public ReadOnlySpan<long> First => _first.AsSpan(_start, _count);

    /// <summary>Each run's last sample, oldest run first.</summary>
    public ReadOnlySpan<long> Last => _last.AsSpan(_start, _count);

    /// <summary>Each run's logarithm (<see cref="TrendPredictor.LogOf"/>), oldest run first.</summary>
    public ReadOnlySpan<double> Log => _log.AsSpan(_start, _count);

    /// <summary>A sample newer than every other: it extends the newest run when its value equals the run's (==, as the trend's scan compares).</summary>
    public void Append(long ticks, double value)
    {
        if (_count > 0 && value == NewestValue)
        {
            _last[_start + _count - 1] = ticks;
            NewestValue = value;
            return;
        }

        if (_start + _count == _first.Length)
        {
            MakeRoom();
        }

        var at = _start + _count;
        _first[at] = ticks;
        _last[at] = ticks;
        _log[at] = TrendPredictor.LogOf(value);
        _count++;
        NewestValue = value;
    }

    /// <summary>
    /// Takes the newest sample back out (it is about to be replaced): <paramref name="previous"/> is the sample before
    /// it, if any.
    /// </summary>
    public void RemoveNewest(MetricPoint? previous)
    {
        var at = _start + _count - 1;
        if (_first[at] == _last[at])
        {
            // The run was that one sample.
            _count--;
            if (_count == 0)
            {
                _start = 0;
            }
        }
        else
        {
            _last[at] = previous!.Value.Time.UtcTicks;
        }

        if (previous is { } p)
        {
            NewestValue = p.Value;
        }
    }

    /// <summary>
    /// The samples before <paramref name="cutoffTicks"/> were dropped; <paramref name="oldestKept"/> is the first one
    /// left (null: none left). Runs wholly before the cutoff go, the oldest kept one starts at its first sample left.
    /// </summary>
    public void DropBefore(long cutoffTicks, long? oldestKept)
    {
        if (oldestKept is not { } kept)
        {
            _start = 0;
            _count = 0;
            return;
        }

        var dropped = 0;
        while (dropped < _count && _last[_start + dropped] < cutoffTicks)
        {
            dropped++;
        }

        _start = dropped == _count ? 0 : _start + dropped;
        _count -= dropped;
        if (_count > 0 && _first[_start] < kept)
        {
            _first[_start] = kept;
        }
    }

    /// <summary>As <see cref="SlidingList{T}"/>: moves the runs to the front when some were dropped there, else doubles the arrays.</summary>
    private void MakeRoom()
    {
        var size = _start > 0 ? _first.Length : Math.Max(4, _first.Length * 2);
        _first = Moved(_first, size);
        _last = Moved(_last, size);
        _log = Moved(_log, size);
        _start = 0;
    }

    private T[] Moved<T>(T[] items, int size)
    {
        var target = size == items.Length ? items : new T[size];
        Array.Copy(items, _start, target, 0, _count);
        return target;
    }
}
