using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The memory of one policy between evaluations: recent metric samples (for the trend), recent recommendations
/// (for stabilization) and recent scale changes (for cooldown and per-period step limits). Owned by the control
/// loop (one instance per policy, not thread-safe); the engine only reads it.
/// </summary>
public sealed class PolicyHistory
{
    private readonly Dictionary<string, List<MetricPoint>> _samples = new(StringComparer.Ordinal);
    private readonly List<(DateTimeOffset Time, int Replicas)> _recommendations = [];
    private readonly List<ScaleChange> _changes = [];

    public IReadOnlyList<(DateTimeOffset Time, int Replicas)> Recommendations => _recommendations;

    public IReadOnlyList<ScaleChange> Changes => _changes;

    public IReadOnlyList<MetricPoint> Samples(string metricName) =>
        _samples.TryGetValue(metricName, out var list) ? list : [];

    public void AddSample(string metricName, MetricPoint point)
    {
        if (!_samples.TryGetValue(metricName, out var list))
        {
            list = [];
            _samples[metricName] = list;
        }

        // Samples arrive in time order; a repeated timestamp (same scrape seen twice) replaces the last one.
        if (list.Count > 0 && list[^1].Time >= point.Time)
        {
            if (list[^1].Time == point.Time)
            {
                list[^1] = point;
            }

            return;
        }

        list.Add(point);
    }

    public void AddRecommendation(DateTimeOffset time, int replicas) => _recommendations.Add((time, replicas));

    public void AddChange(ScaleChange change) => _changes.Add(change);

    /// <summary>Drops what is older than <paramref name="keep"/>; call once per evaluation (no closures: it runs for every policy every tick).</summary>
    public void Trim(DateTimeOffset now, TimeSpan keep)
    {
        var cutoff = now - keep;
        foreach (var list in _samples.Values)
        {
            DropBefore(list, cutoff, static p => p.Time);
        }

        DropBefore(_recommendations, cutoff, static r => r.Time);
        DropBefore(_changes, cutoff, static c => c.Time);
    }

    /// <summary>Removes the entries before <paramref name="cutoff"/> (anywhere in the list; usually a few at the front).</summary>
    private static void DropBefore<T>(List<T> list, DateTimeOffset cutoff, Func<T, DateTimeOffset> timeOf)
    {
        var kept = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (timeOf(list[i]) >= cutoff)
            {
                list[kept++] = list[i];
            }
        }

        list.RemoveRange(kept, list.Count - kept);
    }
}

/// <summary>A replica change that was applied.</summary>
public readonly record struct ScaleChange(DateTimeOffset Time, int From, int To);
