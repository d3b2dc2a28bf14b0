using ScaleControl.Core.Signals;

namespace ScaleControl.Prometheus.Api;

/// <summary>A query that could not be answered, with the status a <see cref="MetricReading"/> would carry.</summary>
public sealed class PrometheusQueryException(MetricStatus status, string message, Exception? inner = null)
    : MetricQueryException(status, message, inner);
