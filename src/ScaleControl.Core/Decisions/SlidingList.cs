using System.Collections;
using System.Runtime.CompilerServices;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// A list in one array that drops entries from its front without moving the rest: the history trims its oldest
/// entries on every evaluation of every policy, and a <see cref="List{T}"/> would move all it keeps each time. The
/// free front is reused when the end of the array is reached.
/// </summary>
internal sealed class SlidingList<T> : IReadOnlyList<T>
{
    private T[] _items = [];
    private int _start;
    private int _count;

    public int Count => _count;

    public T this[int index] => (uint)index < (uint)_count ? _items[_start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The entries, oldest first (valid until the list next changes).</summary>
    public Span<T> AsSpan() => _items.AsSpan(_start, _count);

    public void Add(T item)
    {
        if (_start + _count == _items.Length)
        {
            MakeRoom();
        }

        _items[_start + _count] = item;
        _count++;
    }

    /// <summary>Inserts at <paramref name="index"/>, moving the entries after it (rare: the history's changes, learned late).</summary>
    public void Insert(int index, T item)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)_count, nameof(index));
        if (_start + _count == _items.Length)
        {
            MakeRoom();
        }

        Array.Copy(_items, _start + index, _items, _start + index + 1, _count - index);
        _items[_start + index] = item;
        _count++;
    }

    /// <summary>Replaces the newest entry.</summary>
    public void SetLast(T item) => _items[_start + _count - 1] = item;

    public void RemoveFirst(int count)
    {
        Clear(_start, count);
        _start = count == _count ? 0 : _start + count;
        _count -= count;
    }

    public void RemoveLast(int count)
    {
        Clear(_start + _count - count, count);
        _count -= count;
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _items[_start + i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// At the array's end: moves the entries to the front when some were dropped there, else doubles the array, as a
    /// <see cref="List{T}"/> would (the same memory; a history at its steady size moves its entries once per as many
    /// evaluations as its array has spare slots, instead of on every one).
    /// </summary>
    private void MakeRoom()
    {
        var target = _start > 0 ? _items : new T[Math.Max(4, _items.Length * 2)];
        Array.Copy(_items, _start, target, 0, _count);
        if (ReferenceEquals(target, _items))
        {
            Clear(_count, _start);
        }

        _items = target;
        _start = 0;
    }

    /// <summary>Lets go of references in dropped slots (entries with none need no clearing).</summary>
    private void Clear(int from, int count)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_items, from, count);
        }
    }
}
