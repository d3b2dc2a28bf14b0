using System.Net;
using System.Text.Json;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>The simulator's Prometheus-compatible query API over real HTTP: GET and POST form, envelopes and errors.</summary>
public sealed class PrometheusQueryApiTests : IAsyncLifetime
{
    private const string CheckoutRate = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";

    private SandboxTrafficHost? _host;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxTrafficHost.StartAsync(o => o.NoiseFraction = 0);
        _http = new HttpClient { BaseAddress = new Uri(_host.Url, "sandbox/prometheus/") };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_host is not null)
            await _host.DisposeAsync();
    }

    [Fact]
    public async Task Query_ByGetAndByPostForm_AnswerTheSameVector()
    {
        var get = await SendAsync(HttpMethod.Get, "api/v1/query", ("query", CheckoutRate));
        var post = await SendAsync(HttpMethod.Post, "api/v1/query", ("query", CheckoutRate));

        foreach (var (status, body) in new[] { get, post })
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("success", body.GetProperty("status").GetString());
            Assert.Equal("vector", body.GetProperty("data").GetProperty("resultType").GetString());
            var sample = body.GetProperty("data").GetProperty("result")[0].GetProperty("value");
            Assert.Equal(JsonValueKind.Number, sample[0].ValueKind);
            Assert.True(double.Parse(sample[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        }
    }

    [Fact]
    public async Task QueryRange_WithDurationStep_AnswersAMatrix()
    {
        var end = DateTimeOffset.UtcNow;
        var (status, body) = await SendAsync(HttpMethod.Get, "api/v1/query_range",
            ("query", CheckoutRate), ("start", (end.AddMinutes(-1).ToUnixTimeMilliseconds() / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("end", end.ToString("O")), ("step", "15s"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("matrix", body.GetProperty("data").GetProperty("resultType").GetString());
        Assert.InRange(body.GetProperty("data").GetProperty("result")[0].GetProperty("values").GetArrayLength(), 4, 5);
    }

    [Theory]
    [InlineData("api/v1/query", "", "", "invalid parameter \"query\"")]
    [InlineData("api/v1/query", "time", "yesterday", "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp")]
    [InlineData("api/v1/query_range", "step", "0", "zero or negative query resolution step widths are not accepted")]
    [InlineData("api/v1/query_range", "step", "1ms", "exceeded maximum resolution of 11000 points per timeseries")]
    [InlineData("api/v1/query_range", "step", "fast", "invalid parameter \"step\": cannot parse \"fast\" to a valid duration")]
    public async Task BadParameters_AreBadDataWithPrometheusMessage(string path, string name, string value, string expected)
    {
        var parameters = new List<(string, string)> { ("start", "1000"), ("end", "1060"), ("step", "15") };
        if (name.Length > 0)
        {
            parameters.RemoveAll(p => p.Item1 == name);
            parameters.Add((name, value));
        }

        if (path.EndsWith("query_range", StringComparison.Ordinal) || name == "time")
            parameters.Add(("query", CheckoutRate));

        var (status, body) = await SendAsync(HttpMethod.Get, path, [.. parameters]);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", body.GetProperty("status").GetString());
        Assert.Equal("bad_data", body.GetProperty("errorType").GetString());
        Assert.Contains(expected, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_LongerThanTheLimit_IsBadData()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/query", ("query", new string('x', 9000)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("longer than 8192 characters", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] parameters)
    {
        var pairs = parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToArray();
        using var request = method == HttpMethod.Post
            ? new HttpRequestMessage(method, path) { Content = new FormUrlEncodedContent(pairs) }
            : new HttpRequestMessage(method, $"{path}?{string.Join('&', pairs.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"))}");
        using var response = await _http.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
