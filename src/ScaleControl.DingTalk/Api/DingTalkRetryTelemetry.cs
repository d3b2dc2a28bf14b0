using Polly.Telemetry;

namespace ScaleControl.DingTalk.Api;

/// <summary>
/// Polly logs every attempt of a retried request (Warning, the last one Error, with the exception) and its retries:
/// with DingTalk throttling a storm's cards, hundreds of lines a minute. The product tells it instead:
/// <see cref="DingTalkCallLog"/> a line per attempt, the caller a line per failed call with DingTalk's code and
/// message, and the DingTalk fault notice; so the DingTalk pipelines' own events are Debug.
/// </summary>
internal static class DingTalkRetryTelemetry
{
    /// <summary>The pipeline names Polly reports: the HTTP client's name, a dash, the standard handler's.</summary>
    private static readonly HashSet<string> PipelineNames =
    [
        DingTalkHttpClients.Api + "-standard",
        DingTalkHttpClients.Webhook + "-standard",
    ];

    public static void Quiet(TelemetryOptions options)
    {
        var others = options.SeverityProvider;
        options.SeverityProvider = args => args.Source.PipelineName is { } name && PipelineNames.Contains(name)
            ? ResilienceEventSeverity.Debug
            : others?.Invoke(args) ?? args.Event.Severity;
    }
}
