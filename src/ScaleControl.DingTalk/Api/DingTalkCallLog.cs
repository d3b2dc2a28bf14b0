using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ScaleControl.DingTalk.Api;

/// <summary>
/// One information line per call to DingTalk, as it leaves the process (each retry is its own line): method, path,
/// status and duration — enough to see what ScaleControl asked DingTalk and how it answered. Never the query string
/// (the old API carries <c>access_token</c> there, a webhook its token) nor headers or bodies (tokens, secrets).
/// </summary>
public sealed partial class DingTalkCallLog(ILogger<DingTalkCallLog> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var path = request.RequestUri?.AbsolutePath ?? "?";
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            LogCall(logger, request.Method.Method, path, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception e)
        {
            LogCallFailed(logger, request.Method.Method, path, e.GetType().Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "DingTalk {Method} {Path} -> {Status} in {DurationMs:0} ms")]
    private static partial void LogCall(ILogger logger, string method, string path, int status, double durationMs);

    [LoggerMessage(EventId = 521, Level = LogLevel.Information, Message = "DingTalk {Method} {Path} -> no answer ({Error}) after {DurationMs:0} ms")]
    private static partial void LogCallFailed(ILogger logger, string method, string path, string error, double durationMs);
}
