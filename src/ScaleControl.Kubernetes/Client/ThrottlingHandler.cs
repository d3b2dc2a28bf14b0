using System.Net;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Kubernetes.Client;

/// <summary>
/// Every API request passes here: it waits for a token of its priority, and a 429 (or a 5xx on a request that is
/// safe to repeat) is retried after the server's Retry-After, else an exponential back-off with jitter. Each
/// attempt takes a token, so retries cannot stampede the API server.
/// </summary>
public sealed partial class ThrottlingHandler(
    PriorityTokenBucket bucket,
    ThrottleOptions options,
    TimeProvider time,
    ILogger<ThrottlingHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var priority = RequestClassifier.Classify(request.Method, request.RequestUri?.AbsolutePath ?? "", request.RequestUri?.Query ?? "");
        for (var attempt = 0; ; attempt++)
        {
            await bucket.AcquireAsync(priority, cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (attempt >= options.MaxRetries || !IsRetryable(request.Method, response.StatusCode))
            {
                return response;
            }

            var delay = RetryDelay(response, attempt);
            LogRetry(logger, request.Method.Method, request.RequestUri?.AbsolutePath, (int)response.StatusCode, delay.TotalMilliseconds, attempt + 1);
            response.Dispose();
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// 429 means "not processed", so any request may be repeated. A 5xx may have been applied: only GET, and PUT
    /// (which carries a resourceVersion precondition, so a repeat of an applied write fails with 409) are repeated.
    /// </summary>
    internal static bool IsRetryable(HttpMethod method, HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => true,
        HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout => method == HttpMethod.Get || method == HttpMethod.Put,
        _ => false,
    };

    private TimeSpan RetryDelay(HttpResponseMessage response, int attempt)
    {
        var max = TimeSpan.FromSeconds(options.MaxDelaySeconds);
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < max ? delta : max;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : wait < max ? wait : max;
        }

        // Full jitter (AWS architecture blog): uniform in [base*2^n/2, base*2^n].
        var ceiling = Math.Min(max.TotalMilliseconds, options.BaseDelayMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Kubernetes {Method} {Path} answered {Status}; retry {Attempt} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string method, string? path, int status, double delayMs, int attempt);
}
