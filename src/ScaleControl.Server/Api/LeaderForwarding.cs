using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.Api;

/// <summary>
/// Reads of the loop's memory (<c>/status</c>, the dashboard) answered by the leader: a follower forwards them, with
/// the caller's own credentials, to <see cref="PeerOptions.LeaderUrlTemplate"/>, so a dashboard behind a Service of
/// two replicas does not show empty charts every other refresh. Never forwarded twice (a request that was forwarded
/// is answered where it lands, even when two replicas briefly both think the other leads). Leader unreachable or slow:
/// the follower answers from its own memory (the policies' stored status). <c>X-ScaleControl-Served-By</c> says who answered.
/// </summary>
public sealed partial class LeaderForwarding(
    ILeadership leadership, IOptions<PeerOptions> options, IHttpClientFactory clients, ILogger<LeaderForwarding> logger) : IEndpointFilter
{
    public const string HttpClientName = "leader";
    public const string ForwardedByHeader = "X-ScaleControl-Forwarded-By";
    public const string ServedByHeader = "X-ScaleControl-Served-By";

    private string? _lastFailure;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (LeaderUrl(http.Request) is { } url)
        {
            try
            {
                return await ForwardAsync(http, url);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !http.RequestAborted.IsCancellationRequested)
            {
                var failure = ex is TaskCanceledException ? $"no answer within {options.Value.ForwardTimeoutSeconds:0.#} s" : ex.Message;
                if (Interlocked.Exchange(ref _lastFailure, failure) != failure)
                {
                    Unreachable(logger, leadership.CurrentLeader ?? "?", failure); // once per cause, not per refresh
                }
            }
        }

        http.Response.Headers[ServedByHeader] = leadership.Identity;
        return await next(context);
    }

    /// <summary>Where to forward, or null to answer here: this replica leads, no template, no known leader, or already forwarded.</summary>
    private Uri? LeaderUrl(HttpRequest request)
    {
        if (leadership.IsLeader || options.Value.LeaderUrlTemplate is not { Length: > 0 } template
            || leadership.CurrentLeader is not { } leader || !DnsName().IsMatch(leader) || request.Headers.ContainsKey(ForwardedByHeader))
        {
            return null;
        }

        var baseUrl = template.Replace(PeerOptions.LeaderPlaceholder, leader, StringComparison.Ordinal).TrimEnd('/');
        return new Uri(baseUrl + request.Path + request.QueryString);
    }

    private async Task<IResult> ForwardAsync(HttpContext http, Uri url)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ForwardTimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Authorization", http.Request.Headers.Authorization.ToString());
        request.Headers.Add(ForwardedByHeader, leadership.Identity);
        var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        http.Response.RegisterForDispose(response);
        _lastFailure = null;
        http.Response.Headers[ServedByHeader] = response.Headers.TryGetValues(ServedByHeader, out var by) ? by.First() : leadership.CurrentLeader;
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var contentType = response.Content.Headers.ContentType?.ToString() ?? "application/json";
        return new ForwardedResult((int)response.StatusCode, contentType, body);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsName();

    [LoggerMessage(1210, LogLevel.Warning, "The leader {Leader} did not answer a forwarded read ({Failure}); answering from this replica's memory until it does")]
    private static partial void Unreachable(ILogger logger, string leader, string failure);

    /// <summary>The leader's answer as it came: status, content type and body, streamed.</summary>
    private sealed class ForwardedResult(int status, string contentType, Stream body) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = contentType;
            await using (body)
            {
                await body.CopyToAsync(httpContext.Response.Body, httpContext.RequestAborted);
            }
        }
    }
}
