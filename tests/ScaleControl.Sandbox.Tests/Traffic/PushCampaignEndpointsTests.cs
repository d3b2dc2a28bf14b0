using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>
/// A push campaign over real HTTP (Kestrel at 127.0.0.1:0) on a fake clock: the push rate shows in the scrape and the
/// query API first, the traffic a minute or two later.
/// </summary>
public sealed class PushCampaignEndpointsTests : IAsyncLifetime
{
    private const string Pushes = """sum(rate(push_sent_total{namespace="shop",workload="checkout-api"}[1m]))""";
    private const string Requests = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";

    private readonly string _traces = Directory.CreateTempSubdirectory("scalecontrol-traces-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    private SandboxTrafficHost? _host;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(SamplePolicyQueries.TracesDirectory, "push-30m-users.csv"), Path.Combine(_traces, "push-30m-users.csv"));
        await File.WriteAllTextAsync(Path.Combine(_traces, "flash-sale.csv"), "seconds,qps\n0,100\n600,900\n");
        _host = await SandboxTrafficHost.StartAsync(
            o => (o.TracesDirectory, o.NoiseFraction, o.Services) = (_traces, 0, [new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 100, PodCapacityQps = 50, Flat = true }]),
            services => services.AddSingleton<TimeProvider>(_time));
        _http = new HttpClient { BaseAddress = _host.Url };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_host is not null)
            await _host.DisposeAsync();
        Directory.Delete(_traces, recursive: true);
    }

    [Fact]
    public async Task PostPush_PushRateRisesInTheScrapeAndTheQueryApiBeforeTheTraffic()
    {
        using var response = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1_000_000 });
        var campaign = await response.Content.ReadFromJsonAsync<JsonElement>();
        var startsAt = campaign.GetProperty("startsAt").GetDateTimeOffset();
        var trafficFrom = campaign.GetProperty("trafficFrom").GetDateTimeOffset();
        var baseline = await QueryAsync(Requests);

        _time.SetUtcNow(startsAt.AddSeconds(60));
        var scrape = await _http.GetStringAsync("/sandbox/metrics");
        var (pushesAt60, requestsAt60) = (await QueryAsync(Pushes), await QueryAsync(Requests));
        _time.SetUtcNow(trafficFrom.AddSeconds(60));
        var requestsAfter = await QueryAsync(Requests);
        var listed = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/pushes");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pending", campaign.GetProperty("phase").GetString()); // from the next simulated second
        Assert.Equal("push-30m-users", campaign.GetProperty("trace").GetString());
        Assert.InRange((trafficFrom - startsAt).TotalSeconds, 90, 120);
        Assert.Contains("# TYPE push_sent_total counter", scrape);
        var sent = ScrapedValue(scrape, """push_sent_total{namespace="shop",workload="checkout-api"}""");
        Assert.InRange(sent, 100_000, 500_000); // a minute into a 2-minute send to 1M
        Assert.True(pushesAt60 > 1000, $"{pushesAt60} pushes/s");
        Assert.InRange(requestsAt60, baseline, baseline * 1.01); // no open yet
        Assert.True(requestsAfter > baseline * 1.5, $"{requestsAfter} QPS after the opens, {baseline} before");
        var shown = Assert.Single(listed.EnumerateArray());
        Assert.Equal("sending", shown.GetProperty("phase").GetString()); // the last pushes overlap the first opens
        Assert.True(shown.GetProperty("extraQps").GetDouble() > 0);
    }

    [Fact]
    public async Task PostPush_Invalid_ReturnsFieldErrors()
    {
        using var bad = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "no-such-api", recipients = 0.5 });
        using var noPush = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1000, trace = "flash-sale" });
        using var unknown = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1000, trace = new string('x', 200) });
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("no service shop/no-such-api", errors.GetProperty("workload")[0].GetString());
        Assert.Contains("whole number from 1 to 100000000", errors.GetProperty("recipients")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noPush.StatusCode);
        Assert.Contains("trace flash-sale has no 'push' column", await noPush.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("at most 100 characters", await unknown.Content.ReadAsStringAsync());
        Assert.Empty((await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/pushes")).EnumerateArray());
    }

    [Fact]
    public async Task PostPush_FiftyRunning_TheNextIsAConflict()
    {
        for (var i = 0; i < Sandbox.Traffic.TrafficSimulator.MaxRunningPushCampaigns; i++)
        {
            using var ok = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1000 });
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var refused = await _http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 1000 });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("50 push campaigns are running already; wait for one to end", problem.GetProperty("detail").GetString());
    }

    private async Task<double> QueryAsync(string query)
    {
        var body = await _http.GetFromJsonAsync<JsonElement>("/sandbox/prometheus/api/v1/query?query=" + Uri.EscapeDataString(query));
        return double.Parse(body.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    private static double ScrapedValue(string scrape, string series) =>
        double.Parse(scrape.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..].Split(' ')[0], CultureInfo.InvariantCulture);
}
