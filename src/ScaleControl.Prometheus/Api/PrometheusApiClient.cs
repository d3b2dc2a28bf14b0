using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using ScaleControl.Core.Signals;

namespace ScaleControl.Prometheus.Api;

/// <summary>
/// The two endpoints of the Prometheus HTTP API that ScaleControl uses: <c>/api/v1/query</c> and
/// <c>/api/v1/query_range</c>, by GET or POST form. Retries and the per-attempt timeout live in the
/// HttpClient's resilience pipeline; every failure leaves here as a <see cref="PrometheusQueryException"/>.
/// </summary>
internal sealed class PrometheusApiClient(IHttpClientFactory httpClients, IOptions<PrometheusOptions> options)
{
    public const string HttpClientName = "ScaleControl.Prometheus";

    private readonly PrometheusOptions _options = options.Value;

    public Task<PrometheusData> QueryAsync(string query, DateTimeOffset time, CancellationToken cancellationToken) =>
        SendAsync("api/v1/query", [new("query", query), new("time", FormatTime(time))], cancellationToken);

    public Task<PrometheusData> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) =>
        SendAsync(
            "api/v1/query_range",
            [new("query", query), new("start", FormatTime(start)), new("end", FormatTime(end)),
             new("step", step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture))],
            cancellationToken);

    private async Task<PrometheusData> SendAsync(string path, KeyValuePair<string, string>[] parameters, CancellationToken cancellationToken)
    {
        using var request = CreateRequest(path, parameters);
        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new PrometheusQueryException(
                    MetricStatus.Unavailable,
                    $"Prometheus rejected the request: HTTP {(int)response.StatusCode} {response.ReasonPhrase} (check the bearer token or basic auth settings)");
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return PrometheusResponseParser.Parse(body, (int)response.StatusCode);
        }
        catch (HttpRequestException e)
        {
            throw new PrometheusQueryException(MetricStatus.Unavailable, $"Prometheus unreachable at {_options.Url}: {e.Message}", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new PrometheusQueryException(MetricStatus.Unavailable, $"Prometheus did not answer within {_options.Timeout.TotalSeconds:0.###} s", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusQueryException(MetricStatus.Unavailable, $"Prometheus request was cancelled: {e.Message}", e);
        }
    }

    private HttpRequestMessage CreateRequest(string path, KeyValuePair<string, string>[] parameters)
    {
        if (_options.UsePost)
        {
            return new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(parameters) };
        }

        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        return new HttpRequestMessage(HttpMethod.Get, $"{path}?{query}");
    }

    private static string FormatTime(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
