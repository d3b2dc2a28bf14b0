using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Ports;

/// <summary>Where metric values come from: Prometheus in production, the traffic simulator in the sandbox.</summary>
public interface IMetricSource
{
    /// <summary>Evaluates each distinct query once (instant query at "now"). Never throws for a bad query.</summary>
    Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> queries, CancellationToken cancellationToken);

    /// <summary>
    /// A range query, for prediction look-back, what-if replays and sparklines. Throws <see cref="MetricQueryException"/>
    /// when the source refuses the query or cannot be reached.
    /// </summary>
    Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken);
}
