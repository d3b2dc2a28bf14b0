namespace ScaleControl.Core.Signals;

/// <summary>
/// A range query the metric source could not answer (<see cref="Ports.IMetricSource.QueryRangeAsync"/>), with the
/// status an instant reading of it would carry: <see cref="MetricStatus.InvalidQuery"/> when the query must be
/// fixed, <see cref="MetricStatus.Unavailable"/> when the source is down.
/// </summary>
public class MetricQueryException(MetricStatus status, string message, Exception? inner = null) : Exception(message, inner)
{
    public MetricStatus Status { get; } = status;
}
