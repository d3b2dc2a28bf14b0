using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
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
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(10); // the [10s] of the queries below

    [Theory]
    [InlineData("""sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[10s]))""")]
    [InlineData("""sum(rate(http_request_errors_total{namespace="shop",workload="search-api"}[10s])) / sum(rate(http_requests_total{namespace="shop",workload="search-api"}[10s]))""")]
    [InlineData("""histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="checkout-api"}[10s])))""")]
    [InlineData("""histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="search-api"}[10s])))""")]
    public async Task SandboxQuery_SandboxApiAndRealPrometheus_GiveTheSameValue(string query)
    {
        var at = await CoveredWindows.FirstAsync(live.PrometheusUrl, s_window, live.FullWindowsSince, DateTimeOffset.MaxValue);
        using var factory = new MetricSourceFactory(live.PrometheusUrl, time: new FakeTimeProvider(at));
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl, time: new FakeTimeProvider(at));

        var scraped = (await factory.Source.QueryAsync([query], CancellationToken.None))[query];
        var simulated = (await sandboxApi.Source.QueryAsync([query], CancellationToken.None))[query];

        Assert.Equal(MetricStatus.Ok, scraped.Status);
        Assert.Equal(MetricStatus.Ok, simulated.Status);
        Assert.True(simulated.Value > 0);
        // The scraped counters carry the instant they were read at and the window is scraped at both ends, so rate()
        // over a flat line is exact however late the scrapes ran; 1 % covers the millisecond rounding of the timestamps.
        Assert.InRange(scraped.Value!.Value, simulated.Value!.Value * 0.99, simulated.Value!.Value * 1.01);
    }

    [Fact]
    public async Task SandboxQuery_RangeThroughSandboxApiAndRealPrometheus_FollowTheSameCurve()
    {
        const string Checkout = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[10s]))""";
        using var factory = new MetricSourceFactory(live.PrometheusUrl);
        using var sandboxApi = new MetricSourceFactory(live.SandboxApiUrl);
        var step = TimeSpan.FromSeconds(2);
        var start = await CoveredWindows.FirstAsync(live.PrometheusUrl, s_window, live.FullWindowsSince, DateTimeOffset.MaxValue, step, 2 * step);
        var end = start + 2 * step;

        var scraped = await factory.Source.QueryRangeAsync(Checkout, start, end, step, CancellationToken.None);
        var simulated = await sandboxApi.Source.QueryRangeAsync(Checkout, start, end, step, CancellationToken.None);

        Assert.Equal(3, simulated.Count);
        Assert.Equal(simulated.Select(p => p.Time), scraped.Select(p => p.Time));
        Assert.All(scraped.Zip(simulated), pair => Assert.InRange(pair.First.Value, pair.Second.Value * 0.99, pair.Second.Value * 1.01));
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
        var before = await CoveredWindows.FirstAsync(live.PrometheusUrl, s_window, live.FullWindowsSince, DateTimeOffset.MaxValue);
        var baseline = await PrometheusAtAsync(Cart, before);
        using var http = new HttpClient { BaseAddress = live.Sandbox.Url };

        var response = await http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = "shop", workload = "cart-api", multiplier = 4, rampSeconds = 0, holdSeconds = 600, decaySeconds = 0,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var surge = await WaitForAsync(factory.Source, Cart, r => r.IsUsable && r.Value > baseline * 3.5);
        var errors = await WaitForAsync(factory.Source, CartErrors, r => r.IsUsable && r.Value > 0.2);
        var simulated = await WaitForAsync(sandboxApi.Source, Cart, r => r.IsUsable && r.Value >= 195); // once the window is past the start
        Assert.InRange(baseline, 49.5, 50.5); // a flat 50 QPS, read where the window is scraped at both ends
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

        // Read both at one instant at least 20 s into the send and 20 s before the opens, where Prometheus has scraped
        // both ends of the window.
        var at = await CoveredWindows.FirstAsync(live.PrometheusUrl, s_window, startsAt.AddSeconds(20), trafficFrom.AddSeconds(-20));
        var pushes = await PrometheusAtAsync(Pushes, at);
        var requests = await PrometheusAtAsync(Requests, at);

        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        Assert.True(pushes > 500, $"push rate {pushes}/s in Prometheus at {at:O}");
        // The opens come at trafficFrom, so promo-api is still at its flat 100 QPS base: the scraped counters carry the
        // instant they were read at (before they did, a scrape answered late under load read 107 in CI).
        Assert.InRange(requests, 99, 101);
        Assert.True(trafficFrom > startsAt.AddSeconds(80), $"traffic from {trafficFrom:O}, pushes from {startsAt:O}");
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
