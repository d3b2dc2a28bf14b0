namespace ScaleControl.Core.Signals;

public enum MetricStatus
{
    /// <summary>Exactly one finite number.</summary>
    Ok,

    /// <summary>The query returned no series.</summary>
    Empty,

    /// <summary>The query returned more than one series.</summary>
    MultipleSeries,

    /// <summary>The value was NaN or infinite.</summary>
    NotANumber,

    /// <summary>The query itself is invalid (Prometheus bad_data): the policy must be fixed.</summary>
    InvalidQuery,

    /// <summary>The source could not be reached or failed (timeouts, 5xx); the last good value may be stale.</summary>
    Unavailable,
}

/// <summary>One evaluation of one metric query. Never throws into the control loop: problems are a status.</summary>
public sealed record MetricReading(
    string Query,
    MetricStatus Status,
    double? Value,
    DateTimeOffset? SampleTime,
    string? Problem = null)
{
    public bool IsUsable => Status == MetricStatus.Ok && Value is { } v && double.IsFinite(v);

    public static MetricReading Ok(string query, double value, DateTimeOffset sampleTime) =>
        new(query, MetricStatus.Ok, value, sampleTime);

    public static MetricReading Failed(string query, MetricStatus status, string problem) =>
        new(query, status, null, null, problem);
}

/// <summary>A point of a metric's history.</summary>
public readonly record struct MetricPoint(DateTimeOffset Time, double Value);
