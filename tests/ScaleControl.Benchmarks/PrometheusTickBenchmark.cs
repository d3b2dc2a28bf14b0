using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.Prometheus;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Prometheus;

using static ScaleControl.Benchmarks.BenchmarkArgs;

namespace ScaleControl.Benchmarks;

/// <summary>
/// The signal path under a production-sized load, against a real Prometheus:
/// N policies over M distinct PromQL queries, evaluated every interval as the control loop does.
/// Measures queries per tick, tick duration and the delay from a sample being scraped to the decision that uses it.
///
/// The delay probe: a tiny target whose gauge <c>bench_scrape_sequence</c> goes up by one on every scrape and
/// remembers when it served each value. One policy reads <c>max(bench_scrape_sequence)</c>; a sample k counts
/// as used by the first tick that read a value ≥ k, and its delay is that tick's decision time minus the time
/// k was served to Prometheus.
/// </summary>
internal static class PrometheusTickBenchmark
{
    private const string ProbeQuery = "max(bench_scrape_sequence)";

    public static async Task<int> RunAsync(string[] args)
    {
        var policies = Option(args, "--policies", 1000);
        var distinctQueries = Option(args, "--queries", 200);
        var ticks = Option(args, "--ticks", 24);
        var interval = TimeSpan.FromSeconds(Option(args, "--interval", 5));
        var services = distinctQueries - 1;

        await using var target = await StartTargetAsync(services);
        await using var prometheus = await PrometheusServer.StartAsync($"""
              - job_name: sandbox
                scrape_interval: 5s
                metrics_path: /sandbox/metrics
                static_configs:
                  - targets: ['{target.Url.Authority}']
              - job_name: probe
                scrape_interval: 1s
                metrics_path: /probe/metrics
                static_configs:
                  - targets: ['{target.Url.Authority}']
            """);

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ScaleControl:Prometheus:Url"] = prometheus.Url.ToString(),
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddScaleControlPrometheus(configuration).BuildServiceProvider();
        var source = provider.GetRequiredService<IMetricSource>();

        var queries = Enumerable.Range(0, services)
            .Select(i => $$"""sum(rate(http_requests_total{namespace="bench",workload="svc-{{i:000}}"}[1m]))""")
            .Append(ProbeQuery)
            .ToArray();
        var policyQueries = Enumerable.Range(0, policies).Select(i => queries[i % queries.Length]).ToArray();

        Console.WriteLine($"Prometheus {prometheus.Url}, target {target.Url}; {policies} policies over {queries.Length} distinct queries, {ticks} ticks every {interval.TotalSeconds} s");
        await Task.Delay(TimeSpan.FromSeconds(16)); // three 5 s scrapes, so every rate() has its two samples whatever the scrape offset

        var durations = new List<double>();
        var perTick = new List<int>();
        var usedAt = new List<(double Sequence, long DecidedAt)>();
        var okReadings = 0;
        var problems = new Dictionary<string, int>();
        var apiCallsBefore = await CountQueryCallsAsync(prometheus.Url);
        var clock = Stopwatch.StartNew();
        var firstTickAt = 0L;
        for (var tick = 0; tick < ticks; tick++)
        {
            var due = interval * (tick + 1);
            if (clock.Elapsed < due)
                await Task.Delay(due - clock.Elapsed);

            var started = Stopwatch.GetTimestamp();
            if (tick == 0)
                firstTickAt = started;
            var readings = await source.QueryAsync(policyQueries, CancellationToken.None);
            var desired = policyQueries.Sum(q => readings[q].IsUsable ? Math.Ceiling(readings[q].Value!.Value / 40) : 0); // the decision's arithmetic
            var decided = Stopwatch.GetTimestamp();

            durations.Add(Stopwatch.GetElapsedTime(started, decided).TotalMilliseconds);
            perTick.Add(readings.Count);
            okReadings += readings.Values.Count(r => r.IsUsable);
            foreach (var problem in readings.Values.Where(r => !r.IsUsable))
                problems[$"{problem.Status}: {problem.Problem}"] = problems.GetValueOrDefault($"{problem.Status}: {problem.Problem}") + 1;
            if (readings[ProbeQuery].Value is { } sequence)
                usedAt.Add((sequence, decided));
            if (Environment.GetEnvironmentVariable("BENCH_TRACE") is not null)
                Console.WriteLine($"tick {tick}: started {Stopwatch.GetElapsedTime(target.Epoch, started).TotalMilliseconds:0} ms, read {readings[ProbeQuery].Value} sampled {readings[ProbeQuery].SampleTime:HH:mm:ss.fff}, served so far {target.Served.Keys.DefaultIfEmpty().Max()} (last at {Stopwatch.GetElapsedTime(target.Epoch, target.Served.Values.DefaultIfEmpty().Max()).TotalMilliseconds:0} ms), took {durations[^1]:0} ms");
            GC.KeepAlive(desired);
        }

        var apiCalls = await CountQueryCallsAsync(prometheus.Url) - apiCallsBefore;
        var ingested = await IngestedSequencesAsync(prometheus.Url);
        var delays = Delays(target.Served, ingested, usedAt, firstTickAt);

        Console.WriteLine();
        Console.WriteLine("| figure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| policies / distinct queries | {policies} / {queries.Length} |");
        Console.WriteLine($"| queries per tick (distinct, sent) | {perTick.Average():0} (Prometheus counted {apiCalls / ticks:0.#} /api/v1/query calls per tick) |");
        Console.WriteLine($"| usable readings | {okReadings} of {perTick.Sum()} |");
        foreach (var (problem, count) in problems.OrderByDescending(p => p.Value).Take(3))
            Console.WriteLine($"| not usable: {problem.Replace('|', '/')} | {count} |");
        Console.WriteLine($"| tick duration p50 / p99 / max | {Percentile(durations, 50):0.0} / {Percentile(durations, 99):0.0} / {durations.Max():0.0} ms |");
        Console.WriteLine($"| scrape → decision delay p50 / p99 / max | {Percentile(delays, 50):0} / {Percentile(delays, 99):0} / {delays.DefaultIfEmpty().Max():0} ms ({delays.Count} samples; {target.Served.Count - ingested.Count} probe scrapes not ingested) |");
        Console.WriteLine($"| goal (interval + 250 ms) | {interval.TotalMilliseconds + 250:0} ms: {(delays.Count > 0 && delays.Max() <= interval.TotalMilliseconds + 250 ? "met" : "NOT met")} |");
        return 0;
    }

    /// <summary>For every ingested probe sample, the time from serving it to the first decision that read it (or a newer one).</summary>
    private static List<double> Delays(ConcurrentDictionary<long, long> served, HashSet<long> ingested, List<(double Sequence, long DecidedAt)> used, long since)
    {
        var delays = new List<double>();
        foreach (var (sequence, servedAt) in served)
        {
            if (servedAt < since)
                continue; // scraped before the loop started: its wait says nothing about the loop
            if (!ingested.Contains(sequence))
                continue; // a scrape Prometheus dropped (timeout under load) is no sample
            var first = used.FirstOrDefault(u => u.Sequence >= sequence);
            if (first.DecidedAt != 0 && first.DecidedAt >= servedAt)
                delays.Add(Stopwatch.GetElapsedTime(servedAt, first.DecidedAt).TotalMilliseconds);
        }

        return delays;
    }

    private static async Task<ProbeTarget> StartTargetAsync(int services)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddSandboxTraffic(o =>
        {
            o.Warmup = TimeSpan.FromMinutes(2);
            o.History = TimeSpan.FromMinutes(10);
            o.Services = [.. Enumerable.Range(0, services).Select(i => new SimulatedServiceOptions
            {
                Namespace = "bench", Workload = $"svc-{i:000}", PeakQps = 50 + i, PodCapacityQps = 50,
            })];
        });
        var app = builder.Build();
        var target = new ProbeTarget(app);
        app.MapSandboxTraffic();
        app.MapGet("/probe/metrics", target.Scrape);
        await app.StartAsync();
        target.Url = new Uri(app.Urls.First());
        return target;
    }

    /// <summary>The probe values Prometheus actually stored (a raw range selector returns every sample).</summary>
    private static async Task<HashSet<long>> IngestedSequencesAsync(Uri prometheus)
    {
        using var http = new HttpClient { BaseAddress = prometheus };
        using var json = JsonDocument.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString("bench_scrape_sequence[30m]")));
        return [.. json.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("values").EnumerateArray()
            .Select(v => long.Parse(v[1].GetString()!, CultureInfo.InvariantCulture))];
    }

    private static async Task<double> CountQueryCallsAsync(Uri prometheus)
    {
        using var http = new HttpClient { BaseAddress = prometheus };
        var line = (await http.GetStringAsync("metrics")).Split('\n')
            .SingleOrDefault(l => l.StartsWith("prometheus_http_requests_total{", StringComparison.Ordinal) && l.Contains("handler=\"/api/v1/query\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture); // no series before the first call
    }

    private sealed class ProbeTarget(WebApplication app) : IAsyncDisposable
    {
        private long _sequence;

        public long Epoch { get; } = Stopwatch.GetTimestamp();

        public Uri Url { get; set; } = null!;

        /// <summary>Sequence number → Stopwatch timestamp at which it was served to Prometheus.</summary>
        public ConcurrentDictionary<long, long> Served { get; } = new();

        public IResult Scrape()
        {
            var sequence = Interlocked.Increment(ref _sequence);
            Served[sequence] = Stopwatch.GetTimestamp();
            return Results.Text($"# TYPE bench_scrape_sequence gauge\nbench_scrape_sequence {sequence}\n", "text/plain; version=0.0.4");
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
