using System.Net;
using System.Net.Http.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Testing.Timing;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Prometheus.Tests;

/// <summary>A real Prometheus scraping the live traffic simulator, queried through <see cref="PrometheusMetricSource"/>.</summary>
public sealed class LiveScrapeTests(LiveScrapeFixture live) : IClassFixture<LiveScrapeFixture>
{
    private static readonly TimeSpan s_patience = Patience.Of(10);

    [Theory]
    [InlineData("""sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[10s]))""")]
    [InlineData("""sum(rate(http_request_errors_total{namespace="shop",workload="search-api"}[10s])) / sum(rate(http_requests_total{namespace="shop",workload="search-api"}[10s]))""")]
    [InlineData("""histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="checkout-api"}[10s])))""")]
    [InlineData("""histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="search-api"}[10s])))""")]
    public async Task SandboxQuery_SandboxApiAndRealPrometheus_GiveTheSameValue(string query)
    {
        using var factory = new MetricSourceFactory(live.PrometheusUrl);
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl);

        var scraped = await WaitForAsync(factory.Source, query, r => r.IsUsable);
        var simulated = (await sandboxApi.Source.QueryAsync([query], CancellationToken.None))[query];

        Assert.Equal(MetricStatus.Ok, simulated.Status);
        Assert.True(simulated.Value > 0);
        // Prometheus extrapolates rate() from scrape timestamps that jitter by milliseconds to a second; over a
        // 10 s window that is worth a few percent (over the usual [1m] it is under one).
        Assert.InRange(scraped.Value!.Value, simulated.Value!.Value * 0.9, simulated.Value!.Value * 1.1);
    }

    [Fact]
    public async Task SandboxQuery_RangeThroughSandboxApiAndRealPrometheus_FollowTheSameCurve()
    {
        const string Checkout = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[10s]))""";
        using var factory = new MetricSourceFactory(live.PrometheusUrl);
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl);
        var start = live.FullWindowsSince;
        var end = start.AddSeconds(4);
        await WaitForAsync(factory.Source, Checkout, r => r.IsUsable && r.SampleTime > end.AddSeconds(1));

        var scraped = await factory.Source.QueryRangeAsync(Checkout, start, end, TimeSpan.FromSeconds(2), CancellationToken.None);
        var simulated = await sandboxApi.Source.QueryRangeAsync(Checkout, start, end, TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(3, simulated.Count);
        Assert.Equal(simulated.Select(p => p.Time), scraped.Select(p => p.Time));
        Assert.All(scraped.Zip(simulated), pair => Assert.InRange(pair.First.Value, pair.Second.Value * 0.9, pair.Second.Value * 1.1));
    }

    [Fact]
    public async Task SandboxApi_QueryOutsideTheConvention_IsAnInvalidQueryThroughTheAdapter()
    {
        const string Avg = """avg(rate(http_requests_total[1m]))""";
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl);

        var reading = (await sandboxApi.Source.QueryAsync([Avg], CancellationToken.None))[Avg];

        Assert.Equal(MetricStatus.InvalidQuery, reading.Status);
        Assert.Contains("set ScaleControl:Prometheus:Url", reading.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HotEvent_StartedOverHttp_RisesInPrometheusAndInTheSandboxApi()
    {
        const string Cart = """sum(rate(http_requests_total{namespace="shop",workload="cart-api"}[10s]))""";
        const string CartErrors = """sum(rate(http_request_errors_total{namespace="shop",workload="cart-api"}[10s])) / sum(rate(http_requests_total{namespace="shop",workload="cart-api"}[10s]))""";
        using var factory = new MetricSourceFactory(live.PrometheusUrl);
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl);
        var baseline = await WaitForAsync(factory.Source, Cart, r => r.IsUsable);
        using var http = new HttpClient { BaseAddress = live.Sandbox.Url };

        var response = await http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = "shop", workload = "cart-api", multiplier = 4, rampSeconds = 0, holdSeconds = 600, decaySeconds = 0,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var surge = await WaitForAsync(factory.Source, Cart, r => r.IsUsable && r.Value > baseline.Value * 3.5);
        var errors = await WaitForAsync(factory.Source, CartErrors, r => r.IsUsable && r.Value > 0.2);
        var simulated = await WaitForAsync(sandboxApi.Source, Cart, r => r.IsUsable && r.Value >= 195); // once the window is past the start
        Assert.InRange(baseline.Value!.Value, 40, 60);
        Assert.InRange(surge.Value!.Value, 160, 240);
        Assert.InRange(simulated.Value!.Value, 195, 205);
        Assert.InRange(errors.Value!.Value, 0.2, 0.3); // 200 QPS on 150 QPS of pods: a quarter fails
    }

    [Fact]
    public async Task PushCampaign_StartedOverHttp_PushRateRisesInPrometheusWhileTheTrafficHasNotMoved()
    {
        const string Pushes = """sum(rate(push_sent_total{namespace="shop",workload="promo-api"}[10s]))""";
        const string Requests = """sum(rate(http_requests_total{namespace="shop",workload="promo-api"}[10s]))""";
        using var http = new HttpClient { BaseAddress = live.Sandbox.Url };

        var response = await http.PostAsJsonAsync("/sandbox/traffic/pushes", new { @namespace = "shop", workload = "promo-api", recipients = 1_000_000 });
        var campaign = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var startsAt = campaign.GetProperty("startsAt").GetDateTimeOffset();
        var trafficFrom = campaign.GetProperty("trafficFrom").GetDateTimeOffset();

        // Read both at one fixed instant 20 s into the send, once Prometheus has scraped up to it.
        var at = startsAt.AddSeconds(20);
        using var deadline = new CancellationTokenSource(s_patience + TimeSpan.FromSeconds(20));
        var pushes = double.NaN;
        while (!(pushes > 500) && !deadline.IsCancellationRequested)
        {
            await Task.Delay(500);
            pushes = DateTimeOffset.UtcNow > at.AddSeconds(1) ? await PrometheusAtAsync(Pushes, at) : double.NaN;
        }

        var requests = await PrometheusAtAsync(Requests, at);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.True(pushes > 500, $"push rate {pushes}/s in Prometheus at {at:O}");
        // The opens come at trafficFrom, so promo-api is still at its 100 QPS base. Prometheus extrapolates a [10s] rate
        // from scrape timestamps that jitter under load, worth up to ±10 % (as in the tests above; 107 was seen in CI).
        Assert.InRange(requests, 90, 110);
        Assert.True(trafficFrom > at.AddSeconds(60), $"traffic from {trafficFrom:O}");
    }

    [Fact]
    public async Task SamplePolicies_Queries_AreValidPromQLForARealPrometheus()
    {
        using var factory = new MetricSourceFactory(live.PrometheusUrl);
        var queries = SamplePolicyQueries.SandboxConvention();

        var readings = await factory.Source.QueryAsync(queries, CancellationToken.None);

        Assert.All(readings.Values, r => Assert.True(r.Status is MetricStatus.Ok or MetricStatus.Empty or MetricStatus.NotANumber, $"{r.Query}: {r.Status} {r.Problem}"));
    }

    [Fact]
    public async Task SampleConfig_PassesPromtoolCheckConfig()
    {
        var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/promtool") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("config");
        start.ArgumentList.Add(Path.Combine(SamplePolicyQueries.Directory, "prometheus.yml"));
        using var promtool = System.Diagnostics.Process.Start(start)!;
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();

        Assert.True(promtool.ExitCode == 0, output);
    }

    /// <summary>A real Prometheus' answer at <paramref name="time"/> (NaN when it has no sample yet).</summary>
    private async Task<double> PrometheusAtAsync(string query, DateTimeOffset time)
    {
        using var http = new HttpClient { BaseAddress = live.PrometheusUrl };
        var body = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(
            $"api/v1/query?query={Uri.EscapeDataString(query)}&time={(time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}");
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? double.NaN
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<MetricReading> WaitForAsync(IMetricSource source, string query, Func<MetricReading, bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_patience);
        while (true)
        {
            var reading = (await source.QueryAsync([query], CancellationToken.None))[query];
            if (condition(reading))
                return reading;
            if (deadline.IsCancellationRequested)
                throw new TimeoutException($"{query} never met the condition; last reading {reading}");
            await Task.Delay(250);
        }
    }
}
