using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The memory of one policy between evaluations: recent metric samples (for the trend), recent recommendations
/// (for stabilization) and recent scale changes (for cooldown and per-period step limits). Owned by the control
/// loop (one instance per policy, not thread-safe); the engine only reads it.
/// </summary>
public sealed class PolicyHistory
{
    private readonly Dictionary<string, SampleSeries> _samples = new(StringComparer.Ordinal);
    private readonly SlidingList<(DateTimeOffset Time, int Replicas)> _recommendations = new();
    private readonly SlidingList<ScaleChange> _changes = new();

    /// <summary>The series <see cref="SeriesOf"/> last found, and the name string it was asked by.</summary>
    private string? _lastName;
    private SampleSeries? _lastSeries;

    /// <summary>Whether the recommendations are in time order (they are unless the clock stepped back), so Trim needs to look at the front only.</summary>
    private bool _recommendationsInOrder = true;

    /// <summary>The recommendations' candidates for the highest and lowest since a time, kept while they are in time order.</summary>
    private readonly RecommendationExtremes _extremes = new();

    public IReadOnlyList<(DateTimeOffset Time, int Replicas)> Recommendations => _recommendations;

    /// <summary>The recommendations for the engine's loops, without an interface call per entry (valid until the history next changes).</summary>
    internal ReadOnlySpan<(DateTimeOffset Time, int Replicas)> RecommendationSpan => _recommendations.AsSpan();

    /// <summary>
    /// The highest and lowest recommendation since any time, without a scan (stabilization asks on every evaluation);
    /// null while the recommendations are out of time order (the clock stepped back): scan <see cref="RecommendationSpan"/> then.
    /// </summary>
    internal RecommendationExtremes? RecommendationExtremes => _recommendationsInOrder ? _extremes : null;

    public IReadOnlyList<ScaleChange> Changes => _changes;

    /// <summary>The workload's count when the loop last evaluated without having watched (<see cref="RecordWatchStart"/>); stabilization counts it as a recommendation.</summary>
    public (DateTimeOffset Time, int Replicas)? WatchStart { get; private set; }

    public IReadOnlyList<MetricPoint> Samples(string metricName) => SeriesOf(metricName) ?? (IReadOnlyList<MetricPoint>)[];

    public void AddSample(string metricName, MetricPoint point)
    {
        if (SeriesOf(metricName) is not { } series)
        {
            series = new SampleSeries();
            _samples[metricName] = series;
        }

        series.Add(point);
    }

    /// <summary>
    /// The metric's series, or null. The loop asks for the same metric by the same string (its policy's spec) to
    /// decide and then to record, every evaluation: the last series found is kept with its name, and a name that is
    /// that very string skips the hash of it. Series are never removed, so the one kept stays the name's.
    /// </summary>
    private SampleSeries? SeriesOf(string metricName)
    {
        if (ReferenceEquals(metricName, _lastName))
        {
            return _lastSeries;
        }

        if (!_samples.TryGetValue(metricName, out var series))
        {
            return null;
        }

        (_lastName, _lastSeries) = (metricName, series);
        return series;
    }

    /// <summary>
    /// Call before each evaluation. While nothing was recorded for <paramref name="unwatched"/> (the scale-down window
    /// and a little) — a new history, a loop that just took the lead or restarted, readings that failed or a pin that
    /// held all that time — the workload's current count stands as a recommendation made now, as the HPA's
    /// <c>recordInitialRecommendation</c> does for a new autoscaler: a loop that was not watching cannot cut capacity
    /// on its first readings (a Prometheus that just restarted reads low until its rate windows fill); stabilization
    /// keeps it for one scale-down window, as if the loop had watched.
    /// </summary>
    public void RecordWatchStart(DateTimeOffset now, int currentReplicas, TimeSpan unwatched)
    {
        // In UTC ticks, as DateTimeOffset compares: its arithmetic and comparison are calls on every evaluation.
        if (_recommendations.Count == 0 || _recommendations[_recommendations.Count - 1].Time.UtcTicks <= now.UtcTicks - unwatched.Ticks)
        {
            WatchStart = (now, currentReplicas);
        }
    }

    public void AddRecommendation(DateTimeOffset time, int replicas)
    {
        var inOrder = _recommendations.Count == 0 || _recommendations[^1].Time <= time;
        if (inOrder && _recommendationsInOrder)
        {
            _extremes.Append(time.UtcTicks, replicas);
        }
        else if (_recommendationsInOrder)
        {
            _extremes.Clear(); // out of order from now on, until the list empties
        }

        _recommendationsInOrder &= inOrder;
        _recommendations.Add((time, replicas));
    }

    /// <summary>
    /// Adds an applied change in time order (one learned late, e.g. applied by another replica, may be older than the
    /// newest held). A change whose <see cref="ScaleChange.Source"/> is held already is not added again: the same change
    /// is recorded where it was applied and learned back from its ScaleProposal.
    /// </summary>
    /// <returns>Whether it was added.</returns>
    public bool AddChange(ScaleChange change)
    {
        var held = _changes.AsSpan();
        if (change.Source is { } source)
        {
            foreach (var known in held)
            {
                if (known.Source == source)
                {
                    return false;
                }
            }
        }

        var at = held.Length;
        while (at > 0 && held[at - 1].Time > change.Time)
        {
            at--;
        }

        _changes.Insert(at, change);
        return true;
    }

    /// <summary>The oldest change <see cref="Trim"/> keeps with <paramref name="keep"/>: the swing rule looks further back at them (<see cref="SwingHold.RegretWindow"/>).</summary>
    public static DateTimeOffset ChangesKeptFrom(DateTimeOffset now, TimeSpan keep) => now - (keep > SwingHold.RegretWindow ? keep : SwingHold.RegretWindow);

    /// <summary>The lowest and highest measured recommendation after <paramref name="from"/> (int.MaxValue and 0 when none).</summary>
    internal (int Lowest, int Highest) MeasuredRangeSince(DateTimeOffset from)
    {
        var lowest = int.MaxValue;
        var highest = 0;
        var recorded = RecommendationSpan;
        for (var i = recorded.Length - 1; i >= 0 && recorded[i].Time > from; i--)
        {
            lowest = Math.Min(lowest, recorded[i].Replicas);
            highest = Math.Max(highest, recorded[i].Replicas);
        }

        return (lowest, highest);
    }

    /// <summary>Drops what is older than <paramref name="keep"/>; call once per evaluation (no closures, no delegate per entry: it runs for every policy every tick).</summary>
    public void Trim(DateTimeOffset now, TimeSpan keep)
    {
        var cutoff = (now - keep).UtcTicks;
        foreach (var series in _samples.Values)
        {
            series.DropBefore(cutoff); // in time order, with what the series keeps about them
        }

        DropBefore<(DateTimeOffset Time, int Replicas), RecommendationTime>(_recommendations, cutoff, _recommendationsInOrder);
        if (_recommendationsInOrder)
        {
            _extremes.DropBefore(cutoff);
        }

        // An empty list is in order again (the extremes were cleared when it went out of order and stay empty since).
        _recommendationsInOrder |= _recommendations.Count == 0;
        DropBefore<ScaleChange, ChangeTime>(_changes, ChangesKeptFrom(now, keep).UtcTicks, inOrder: true); // AddChange keeps them in order
    }

    /// <summary>
    /// Removes the entries before <paramref name="cutoffTicks"/> (anywhere in the list, order kept). Entries arrive in
    /// time order, so usually the old ones are a few at the front: those are dropped without moving the rest. A list
    /// known to be <paramref name="inOrder"/> is not searched past them.
    /// </summary>
    private static void DropBefore<T, TTime>(SlidingList<T> list, long cutoffTicks, bool inOrder)
        where TTime : ITimed<T>
    {
        var items = list.AsSpan();
        var front = 0;
        while (front < items.Length && TTime.TicksOf(items[front]) < cutoffTicks)
        {
            front++;
        }

        var rest = inOrder ? items.Length : front;
        while (rest < items.Length && TTime.TicksOf(items[rest]) >= cutoffTicks)
        {
            rest++;
        }

        if (rest == items.Length)
        {
            if (front > 0)
            {
                list.RemoveFirst(front);
            }

            return;
        }

        // An old entry after a newer one (a clock that stepped back): keep the order, drop it wherever it is.
        var kept = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (TTime.TicksOf(items[i]) >= cutoffTicks)
            {
                items[kept++] = items[i];
            }
        }

        list.RemoveLast(items.Length - kept);
    }

    private interface ITimed<T>
    {
        static abstract long TicksOf(in T item);
    }

    private readonly struct RecommendationTime : ITimed<(DateTimeOffset Time, int Replicas)>
    {
        public static long TicksOf(in (DateTimeOffset Time, int Replicas) item) => item.Time.UtcTicks;
    }

    private readonly struct ChangeTime : ITimed<ScaleChange>
    {
        public static long TicksOf(in ScaleChange item) => item.Time.UtcTicks;
    }
}

/// <summary>A replica change that was applied; <paramref name="Source"/> says which, when it came from a ScaleProposal.</summary>
public readonly record struct ScaleChange(DateTimeOffset Time, int From, int To, ChangeSource? Source = null);

/// <summary>
/// Which applied change of which ScaleProposal a <see cref="ScaleChange"/> is: <paramref name="Step"/> counts the
/// proposal's applied changes in order (each applied part of a partly approved proposal, then its final apply), so a
/// change learned twice is kept once.
/// </summary>
public sealed record ChangeSource(string Proposal, int Step);
