using Polly.Telemetry;
using ScaleControl.Prometheus.Api;

namespace ScaleControl.Prometheus.Http;

/// <summary>
/// Polly logs every attempt of a retried request with its exception (Warning, the last one Error), and its retries
/// (Warning): with Prometheus down, five stack traces per query per tick. The outcome is told once instead, by
/// <see cref="PrometheusMetricSource"/> (a line per query when its health changes) and the fault notice, so the
/// Prometheus pipeline's own events are Debug.
/// </summary>
internal static class PrometheusRetryTelemetry
{
    /// <summary>The resilience handler's name on the Prometheus client.</summary>
    public const string HandlerName = "prometheus";

    /// <summary>The pipeline name Polly reports: the HTTP client's name, a dash, the handler's.</summary>
    private const string PipelineName = PrometheusApiClient.HttpClientName + "-" + HandlerName;

    public static void Quiet(TelemetryOptions options)
    {
        var others = options.SeverityProvider;
        options.SeverityProvider = args => args.Source.PipelineName == PipelineName
            ? ResilienceEventSeverity.Debug
            : others?.Invoke(args) ?? args.Event.Severity;
    }
}
