using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Testing.Prometheus;
using ScaleControl.Testing.Timing;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Prometheus.Tests;

/// <summary>
/// The sandbox traffic simulator served over HTTP and a real Prometheus scraping its <c>/sandbox/metrics</c>
/// every second. Flat demand without noise, so the sandbox's own query API and the scraped answers can be compared closely.
/// </summary>
public sealed class LiveScrapeFixture : IAsyncLifetime
{
    private SandboxTrafficHost? _sandbox;
    private PrometheusServer? _prometheus;

    public SandboxTrafficHost Sandbox => _sandbox!;

    public Uri PrometheusUrl => _prometheus!.Url;

    /// <summary>From this time on every 10 s window in Prometheus is full of scrapes.</summary>
    public DateTimeOffset FullWindowsSince { get; private set; }

    /// <summary>The sandbox's own Prometheus-compatible query API, answered from the simulator.</summary>
    public Uri SandboxApiUrl => new(Sandbox.Url, "sandbox/prometheus/");

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxTrafficHost.StartAsync(options =>
        {
            options.NoiseFraction = 0;
            options.Warmup = TimeSpan.FromMinutes(5);
            options.TracesDirectory = SamplePolicyQueries.TracesDirectory; // the push campaigns' trace
            options.Services =
            [
                new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 100, PodCapacityQps = 50, Replicas = 3, Flat = true },
                new() { Namespace = "shop", Workload = "search-api", PeakQps = 120, PodCapacityQps = 40, Replicas = 1, Flat = true },
                new() { Namespace = "shop", Workload = "cart-api", PeakQps = 50, PodCapacityQps = 50, Replicas = 3, Flat = true },
                new() { Namespace = "shop", Workload = "promo-api", PeakQps = 100, PodCapacityQps = 50, Replicas = 3, Flat = true },
            ];
        });
        _prometheus = await PrometheusServer.StartAsync($"""
              - job_name: sandbox
                scrape_interval: 1s
                scrape_timeout: 1s
                metrics_path: /sandbox/metrics
                static_configs:
                  - targets: ['{_sandbox.Url.Authority}']
            """);
        await WaitForFullWindowAsync();
        FullWindowsSince = DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// rate() divides by the whole range, so a window not yet filled with scrapes reads low: wait until every
    /// series has a sample in each second of the 10 s windows the tests use.
    /// </summary>
    private async Task WaitForFullWindowAsync()
    {
        const string Samples = "min(count_over_time(http_requests_total[10s]))";
        using var factory = new MetricSourceFactory(PrometheusUrl);
        var limit = Patience.Of(15);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await factory.Source.QueryAsync([Samples], CancellationToken.None))[Samples].Value is not >= 10)
        {
            if (waited.Elapsed > limit)
                throw new TimeoutException($"Prometheus did not fill a 10 s window with scrapes within {limit.TotalSeconds:0} s");
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is not null)
            await _prometheus.DisposeAsync();
        if (_sandbox is not null)
            await _sandbox.DisposeAsync();
    }
}
