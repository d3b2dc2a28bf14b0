using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Sandbox.Traffic;

using static ScaleControl.Benchmarks.BenchmarkArgs;

namespace ScaleControl.Benchmarks;

/// <summary>
/// The product's footprint as Kubernetes sees it with <c>resources.limits.memory</c>: N Auto policies over M distinct
/// PromQL queries answered by a real Prometheus, the product alone in a memory cgroup with the limit, started from a
/// fresh copy of the .NET runtime and of its build output whose pages are not in the page cache (as in a new container),
/// so its own file pages are charged to it. Reports the working set (usage − inactive_file, what the kubelet evicts
/// on and cAdvisor exports as <c>container_memory_working_set_bytes</c>), RSS, CPU, OOM kills and evaluations/s.
/// <c>dotnet run -c Release --project tests/ScaleControl.Benchmarks -- footprint [--policies 1000] [--queries 200]
/// [--warmup 60] [--seconds 120] [--limit-mib 128] [--server &lt;dir holding ScaleControl.Server.dll&gt;] [--env NAME=VALUE]... [--flat]</c>
/// (<c>--env</c> adds a variable to the product's environment, e.g. a runtime knob to try; <c>--flat</c> gives every
/// service a flat demand, a steady day, instead of the daily shape whose evening ramp keeps every policy scaling). Linux only; needs a writable
/// memory cgroup (root) for the limit, else it measures without one and says so.
/// </summary>
internal static class FootprintBenchmark
{
    private const string BenchNamespace = "bench";
    private const string LeaderIdentity = "scalecontrol-footprint";
    private const double TargetPerReplica = 5;
    private const int MaxReplicas = 50;
    private const int IntervalSeconds = 5;
    private const double MiB = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new Settings(
            Option(args, "--policies", 1000),
            Option(args, "--queries", 200),
            Option(args, "--warmup", 60),
            Option(args, "--seconds", 120),
            Option(args, "--limit-mib", 128),
            BenchmarkArgs.StringOption(args, "--server") ?? BenchmarkArgs.DefaultServerDirectory(),
            [.. args.Select((a, i) => (a, i)).Where(x => x.a == "--env" && x.i + 1 < args.Length).Select(x => args[x.i + 1])],
            args.Contains("--flat"));
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("footprint needs Linux (memory cgroups, /proc, posix_fadvise)");
            return 2;
        }

        if (settings.ServerDirectory is null || !File.Exists(Path.Combine(settings.ServerDirectory, "ScaleControl.Server.dll")))
        {
            Console.Error.WriteLine($"ScaleControl.Server.dll not found in {settings.ServerDirectory ?? "(no ScaleControl.sln above the current directory)"}: run `dotnet build -c Release src/ScaleControl.Server` first (or pass --server <dir>).");
            return 2;
        }

        if (settings.Policies < 1 || settings.Queries < 1 || settings.Seconds < 2 || settings.Warmup < 0 || settings.LimitMib < 16)
        {
            Console.Error.WriteLine("--policies and --queries must be ≥ 1, --seconds ≥ 2, --warmup ≥ 0, --limit-mib ≥ 16");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        var world = new World();
        try
        {
            return await MeasureAsync(settings, world, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled; cleaning up");
            return 130;
        }
        catch (BenchmarkFailure failure)
        {
            Console.Error.WriteLine($"FAILED: {failure.Message}");
            return 1;
        }
        finally
        {
            await world.DisposeAsync();
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> MeasureAsync(Settings s, World world, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        world.TempRoot = Directory.CreateTempSubdirectory("scalecontrol-footprint-").FullName;
        Console.WriteLine($"# Footprint: {s.Policies} policies over {s.Queries} queries, {s.LimitMib} MiB limit ({Environment.ProcessorCount} cores; temp {world.TempRoot})");

        // The product's files: a copy of the runtime it runs on and of its build output, not in the page cache.
        var runtime = RuntimeLayout.Resolve(s.ServerDirectory!);
        var copy = ProductCopy.Create(runtime, s.ServerDirectory!, world.TempRoot);
        Console.WriteLine($"copied {copy.Files} files ({copy.Bytes / MiB:0} MiB) to {world.TempRoot}, fsynced and evicted from the page cache ({copy.EvictFailures} evictions failed)");

        var limitBytes = s.LimitMib * 1024L * 1024;
        world.Cgroup = MemoryCgroup.TryCreate($"scalecontrol-footprint-{Environment.ProcessId}", limitBytes, out var cgroupProblem);
        Console.WriteLine(world.Cgroup is { } created
            ? $"memory cgroup {created.Version} {created.Path}, limit {s.LimitMib} MiB"
            : $"NO memory limit: {cgroupProblem}");

        // 1. The world. The sandbox server cannot take extra simulated services through configuration: SandboxWorld sets
        // SandboxTrafficOptions.Services in code from SandboxCatalog (its three demo services; no configuration section
        // binds them). So the --queries bench services are served by the same simulator (ScaleControl.Sandbox's
        // AddSandboxTraffic / MapSandboxTraffic, /sandbox/metrics) hosted in this benchmark process, as the `prometheus`
        // mode does; the sandbox server provides the Kubernetes API the product runs against (and its own demo traffic).
        world.Traffic = await StartTrafficAsync(s.Queries, s.FlatTraffic, ct);
        var trafficUrl = new Uri(world.Traffic.Urls.First());
        var sandboxUrl = new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}/");
        var sandboxDirectory = Directory.CreateDirectory(Path.Combine(world.TempRoot, "sandbox")).FullName;
        world.Sandbox = StartSandbox(runtime.Root, s.ServerDirectory!, sandboxDirectory, sandboxUrl, world.SandboxOutput);
        await WaitForOkAsync(http, new Uri(sandboxUrl, "healthz"), world.Sandbox, world.SandboxOutput, "sandbox server", TimeSpan.FromSeconds(90), ct);
        var kubeconfig = Path.Combine(sandboxDirectory, ".scalecontrol", "sandbox", "kubeconfig");
        var (apiServer, apiToken) = ReadKubeconfig(kubeconfig);
        Console.WriteLine($"sandbox server pid {world.Sandbox.Id} on {sandboxUrl}, Kubernetes API {apiServer}; bench traffic ({s.Queries} services) on {trafficUrl}");

        // 2. A real Prometheus scraping both /sandbox/metrics every 5 s.
        world.Prometheus = await PrometheusServer.StartAsync($"""
              - job_name: bench-traffic
                scrape_interval: 5s
                metrics_path: /sandbox/metrics
                static_configs:
                  - targets: ['{trafficUrl.Authority}']
              - job_name: sandbox
                scrape_interval: 5s
                metrics_path: /sandbox/metrics
                static_configs:
                  - targets: ['{sandboxUrl.Authority}']
            """, globalScrapeInterval: "5s");
        Console.WriteLine($"Prometheus on {world.Prometheus.Url}");

        // 3. One Deployment per policy in the sandbox cluster.
        // A steady day starts every Deployment at the size its flat demand needs (50 + i QPS at 5 per replica), so the
        // window shows the loop at rest; the daily shape starts them at 1 and the fleet scales up through the window.
        var deployments = await CreateDeploymentsAsync(http, apiServer, apiToken, s.Policies, i => s.FlatTraffic ? SteadyReplicas(i % s.Queries) : 1, ct);
        Console.WriteLine($"created {deployments} Deployments in namespace {BenchNamespace}");
        var series = await WaitForRatesAsync(http, world.Prometheus.Url, s.Queries, ct); // so the first evaluations read values
        Console.WriteLine($"Prometheus has a rate for {series} of {s.Queries} bench services");

        // 4. The product in the cgroup.
        var adminToken = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var productUrl = new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}/");
        var productDirectory = Directory.CreateDirectory(Path.Combine(world.TempRoot, "product")).FullName;
        var startedAt = Stopwatch.GetTimestamp();
        world.Product = StartProduct(copy, world.Cgroup, productDirectory, productUrl, kubeconfig, world.Prometheus.Url, adminToken, s.ProductEnvironment, world.ProductOutput);
        var pid = world.Product.Id;
        await WaitForOkAsync(http, new Uri(productUrl, "readyz"), world.Product, world.ProductOutput, "product", TimeSpan.FromSeconds(120), ct, world.Cgroup);
        var readyAfter = Stopwatch.GetElapsedTime(startedAt);
        var inCgroup = world.Cgroup?.Contains(pid) ?? false;
        await WaitForLeaderAsync(http, productUrl, world, ct);
        var leaseHolder = await LeaseHolderAsync(http, apiServer, apiToken, ct);
        Console.WriteLine($"product pid {pid} on {productUrl}: ready after {readyAfter.TotalSeconds:0.0} s, leading (lease holder {leaseHolder}){(world.Cgroup is null ? "" : inCgroup ? ", in the cgroup" : ", NOT in the cgroup")}");

        // 5. The policies, through the product's REST API.
        var (failures, firstFailure) = await PutPoliciesAsync(http, productUrl, adminToken, s, ct);
        if (failures > s.Policies / 2)
            throw new BenchmarkFailure($"{failures} of {s.Policies} policy PUTs failed; first: {firstFailure}\n{world.ProductOutput.Text()}");
        Console.WriteLine($"PUT {s.Policies - failures} policies ({failures} failed{(firstFailure is null ? "" : $"; first: {firstFailure}")}); warming up {s.Warmup} s");

        // 6. Warm-up, then one sample a second; the kubelet's probes (chart: /healthz every 10 s, /readyz every 5 s,
        // 1 s timeout by default) run all along, since a probe the product cannot answer in time restarts or unreadies it.
        var f = new Findings { Settings = s, Runtime = runtime, Copy = copy, World = world, ReadyAfter = readyAfter, LeaseHolder = leaseHolder, InCgroup = inCgroup };
        var ticksPerSecond = Native.ClockTicksPerSecond();
        using var stopProbes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var probing = Task.WhenAll(
            ProbeAsync(new Uri(productUrl, "healthz"), TimeSpan.FromSeconds(10), f.Liveness, stopProbes.Token),
            ProbeAsync(new Uri(productUrl, "readyz"), TimeSpan.FromSeconds(5), f.Readiness, stopProbes.Token));
        for (var i = 0; i < s.Warmup && !world.Product.HasExited; i++)
            await Task.Delay(TimeSpan.FromSeconds(1), ct);

        if (world.Product.HasExited)
            f.DiedAt = "during the warm-up";
        (f.MetricsBefore, f.MetricsBeforeProblem) = await TryGetTextAsync(http, new Uri(productUrl, "metrics"), adminToken, ct);
        f.MetricsBeforeAt = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        for (var k = 0; k <= s.Seconds && f.DiedAt is null; k++)
        {
            var due = TimeSpan.FromSeconds(k);
            if (clock.Elapsed < due)
                await Task.Delay(due - clock.Elapsed, ct);
            var sample = world.Product.HasExited ? null : Sample.Take(pid, world.Cgroup, clock.Elapsed.TotalSeconds, ticksPerSecond);
            if (sample is null)
            {
                f.DiedAt = $"{clock.Elapsed.TotalSeconds:0} s into the window";
                break;
            }

            f.Samples.Add(sample);
            if (k > 0 && k % 10 == 0)
            {
                var before = f.Samples[^11];
                Console.WriteLine($"  {k,4} s: working set {Mib(sample.WorkingSet)} MiB, usage {Mib(sample.Cgroup?.Usage)} MiB, RSS {Mib(sample.Rss)} MiB, "
                    + $"CPU {(sample.CpuSeconds - before.CpuSeconds) / (sample.Seconds - before.Seconds) * 1000:0} m, "
                    + $"major faults {(sample.MajorFaults - before.MajorFaults) / (sample.Seconds - before.Seconds):0}/s, failcnt {sample.Cgroup?.Failcnt}");
            }
        }

        await stopProbes.CancelAsync();
        await probing;
        if (!world.Product.HasExited)
        {
            (f.MetricsAfter, f.MetricsAfterProblem) = await TryGetTextAsync(http, new Uri(productUrl, "metrics"), adminToken, ct);
            f.MetricsAfterAt = Stopwatch.GetTimestamp();
            f.Origins = RssByOrigin(pid, copy);
            f.Status = await PolicyStatusAsync(http, productUrl, adminToken, ct);
        }

        if (world.Product.HasExited)
            f.DiedAt ??= "after the window, during the final reads (/metrics, smaps, /api/v1/status)";
        f.SandboxLeading = await SandboxLeadingAsync(http, sandboxUrl, ct);
        f.FinalCgroup = world.Cgroup?.Read();
        Report(f);
        return 0;
    }

    /// <summary>What one run found, for the report.</summary>
    private sealed class Findings
    {
        public required Settings Settings { get; init; }
        public required RuntimeLayout Runtime { get; init; }
        public required ProductCopy Copy { get; init; }
        public required World World { get; init; }
        public required TimeSpan ReadyAfter { get; init; }
        public required string? LeaseHolder { get; init; }
        public required bool InCgroup { get; init; }
        public List<Sample> Samples { get; } = [];
        public ProbeCounts Liveness { get; } = new();
        public ProbeCounts Readiness { get; } = new();
        public string? MetricsBefore { get; set; }
        public string? MetricsAfter { get; set; }
        public string? MetricsAfterProblem { get; set; }
        public string? MetricsBeforeProblem { get; set; }
        public long MetricsBeforeAt { get; set; }
        public long MetricsAfterAt { get; set; }

        /// <summary>Why a figure from /metrics is missing, or null when both reads answered.</summary>
        public string? MetricsProblem =>
            MetricsBefore is null ? $"/metrics before the window: {MetricsBeforeProblem ?? "process gone"}"
            : MetricsAfter is null ? $"/metrics after the window: {MetricsAfterProblem ?? "process gone"}"
            : null;

        public Dictionary<string, long>? Origins { get; set; }
        public StatusSummary? Status { get; set; }
        public bool? SandboxLeading { get; set; }
        public CgroupReading? FinalCgroup { get; set; }
        public string? DiedAt { get; set; }
    }

    private static void Report(Findings f)
    {
        var s = f.Settings;
        var samples = f.Samples;
        var cgroup = f.World.Cgroup;
        var alive = f.DiedAt is null;
        var limitBytes = s.LimitMib * 1024L * 1024;
        var window = samples.Count > 1 ? samples[^1].Seconds - samples[0].Seconds : 0;
        var workingSets = samples.Select(x => (double)x.WorkingSet).ToList();
        var rss = samples.Select(x => (double)x.Rss).ToList();
        var wsMax = workingSets.DefaultIfEmpty(double.NaN).Max();
        var atMaxWorkingSet = samples.MaxBy(x => x.WorkingSet);
        var atMaxRss = samples.MaxBy(x => x.Rss);
        double PerSecond(Func<Sample, double> counter) => window > 0 ? (counter(samples[^1]) - counter(samples[0])) / window : double.NaN;
        var cpuAverage = PerSecond(x => x.CpuSeconds) * 1000;
        var cpuPerSecond = samples.Zip(samples.Skip(1), (a, b) => (b.CpuSeconds - a.CpuSeconds) / (b.Seconds - a.Seconds) * 1000).ToList();
        double MetricDelta(string name) => f.MetricsAfter is null || f.MetricsBefore is null ? double.NaN : SumSeries(f.MetricsAfter, name) - SumSeries(f.MetricsBefore, name);
        var oomKills = f.FinalCgroup?.OomKills ?? 0;

        Console.WriteLine();
        Console.WriteLine($"Setup: the product ran from a fresh copy of the .NET runtime in {f.Runtime.Root} (host fxr {f.Runtime.HostFxr}, "
            + string.Join(", ", f.Runtime.Frameworks.Select(x => $"{x.Name} {x.Version}"))
            + (f.Copy.IcuDirectory is null ? "" : $", ICU {f.Runtime.IcuVersion} from {f.Runtime.IcuSource}")
            + $"; this process runs {RuntimeInformation.FrameworkDescription}) and of {s.ServerDirectory}: {f.Copy.Files} files, {f.Copy.Bytes / MiB:0} MiB, "
            + $"fsynced and evicted from the page cache (posix_fadvise DONTNEED; {f.Copy.EvictFailures} failed), so its file pages were charged to it on first read.");
        Console.WriteLine(cgroup is null
            ? "Setup: NO memory cgroup could be created: the product ran WITHOUT a memory limit; working set below is RSS."
            : $"Setup: cgroup {cgroup.Version} {cgroup.Path} ({cgroup.LimitFile} = {s.LimitMib} MiB), the product in it from its first instruction ({(f.InCgroup ? "checked in /proc/<pid>/cgroup" : "NOT found in /proc/<pid>/cgroup")}); "
                + $"Cluster mode, DOTNET_gcServer=0, DingTalk off, leader election on (lease holder: {f.LeaseHolder ?? "?"})"
                + (s.ProductEnvironment.Count == 0 ? "." : $"; extra environment: {string.Join(' ', s.ProductEnvironment)}."));
        Console.WriteLine($"Setup: world = sandbox server (Kubernetes API; its own control plane pointed at a closed port so it never evaluates the bench policies: scalecontrol_leader "
            + $"{(f.SandboxLeading is null ? "unknown" : f.SandboxLeading.Value ? "1 — IT LED TOO, figures disturbed" : "0")}), "
            + $"{s.Queries} simulated services in the benchmark process, a real Prometheus scraping every 5 s; warm-up {s.Warmup} s, window {window:0} s.");
        if (f.Origins is not null)
            Console.WriteLine("Setup: RSS by origin at the end (smaps): " + string.Join(", ", f.Origins.Where(o => o.Value > 0).OrderByDescending(o => o.Value).Select(o => $"{o.Key} {o.Value / 1024.0:0.0} MiB")) + ".");

        Console.WriteLine();
        Console.WriteLine("| figure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| memory limit | {(cgroup is null ? "none (no writable memory cgroup)" : $"{s.LimitMib} MiB (cgroup {cgroup.Version} {cgroup.LimitFile})")} |");
        Console.WriteLine($"| policies / distinct queries | {s.Policies} / {Math.Min(s.Queries, s.Policies)} (Auto, {IntervalSeconds} s interval, target {TargetPerReplica} per replica, min 1, max {MaxReplicas}) |");
        Console.WriteLine($"| samples | {samples.Count} over {window:0} s after {s.Warmup} s warm-up |");
        Console.WriteLine($"| working set (usage − inactive_file) p50 / max | {Mib(Percentile(workingSets, 50))} / {Mib(wsMax)} MiB{(cgroup is null ? " (RSS: no cgroup)" : "")} |");
        if (cgroup is not null)
        {
            var usageMax = Math.Max(f.FinalCgroup?.MaxUsage ?? 0, samples.Select(x => x.Cgroup?.Usage ?? 0).DefaultIfEmpty().Max());
            Console.WriteLine($"| cgroup usage max (since start) / p50 in window | {Mib(usageMax)} / {Mib(Percentile([.. samples.Select(x => (double)(x.Cgroup?.Usage ?? 0))], 50))} MiB |");
            if (atMaxWorkingSet?.Cgroup is { } c)
                Console.WriteLine($"| memory.stat at working-set max | anon {Mib(c.Anon)}, page cache {Mib(c.File)} (of which shmem {Mib(c.Shmem)}, mapped {Mib(c.MappedFile)}, inactive_file {Mib(c.InactiveFile)}) MiB |");
        }

        Console.WriteLine($"| RSS p50 / max | {Mib(Percentile(rss, 50))} / {Mib(rss.DefaultIfEmpty(double.NaN).Max())} MiB (at max: anon {Mib(atMaxRss?.RssAnon)}, file {Mib(atMaxRss?.RssFile)}, shmem {Mib(atMaxRss?.RssShmem)}) |");
        Console.WriteLine($"| managed heap / threads at the end | {Mib(f.MetricsAfter is null ? null : Value(f.MetricsAfter, "dotnet_total_memory_bytes"))} MiB (dotnet_total_memory_bytes) / {samples.LastOrDefault()?.Threads} |");
        Console.WriteLine($"| CPU average / max 1 s | {cpuAverage:0} / {cpuPerSecond.DefaultIfEmpty(double.NaN).Max():0} millicores (user {PerSecond(x => x.UserSeconds) * 1000:0}, system {PerSecond(x => x.SystemSeconds) * 1000:0}) |");
        Console.WriteLine($"| major page faults (re-reads from disk) | {PerSecond(x => x.MajorFaults):0.0}/s |");
        Console.WriteLine($"| GCs in window (gen0 / gen1 / gen2) | {GcDelta(f, "0")} / {GcDelta(f, "1")} / {GcDelta(f, "2")} |");
        Console.WriteLine($"| OOM kills / failcnt | {(cgroup is null ? "n/a" : $"{oomKills} / {f.FinalCgroup?.Failcnt}")} |");
        Console.WriteLine($"| process alive | {(alive ? "yes (no restarts)" : $"**NO: {ExitCode(f.World.Product)} {f.DiedAt}** (not restarted)")} |");
        Console.WriteLine($"| kubelet probes (1 s timeout, warm-up + window) | liveness /healthz: {f.Liveness} ; readiness /readyz: {f.Readiness} |");
        var evaluationsPerSecond = MetricDelta("scalecontrol_evaluations_total") / Stopwatch.GetElapsedTime(f.MetricsBeforeAt, f.MetricsAfterAt).TotalSeconds;
        Console.WriteLine($"| evaluations/s | {(f.MetricsProblem is { } missing ? $"unknown ({missing})" : $"{evaluationsPerSecond:0.0}")} (expected {s.Policies / (double)IntervalSeconds:0}) |");
        if (f.Status is { Problem: null } st)
            Console.WriteLine($"| policies evaluated / with a metric value | {st.Evaluated} / {st.WithValue} of {st.Total} (GET /api/v1/status after the window took {st.Seconds:0.0} s) |");
        else if (f.Status is { } failed)
            Console.WriteLine($"| policies evaluated | unknown: GET /api/v1/status after the window: {failed.Problem} after {failed.Seconds:0.0} s |");
        if (f is { MetricsProblem: null, MetricsAfter: { } after })
            Console.WriteLine($"| scale writes in window (since start, by result) | {MetricDelta("scalecontrol_scale_actions_total"):0} ({string.Join(", ", ByLabel(after, "scalecontrol_scale_actions_total", "result").Select(w => $"{w.Key} {w.Value:0}"))}) |");
        Console.WriteLine($"| start to /readyz | {f.ReadyAfter.TotalSeconds:0.0} s |");

        var problems = new List<string>();
        if (!(cpuAverage <= 100))
            problems.Add($"CPU {cpuAverage:0} m > 100 m");
        if (cgroup is null)
            problems.Add("no memory limit applied");
        if (!(wsMax <= limitBytes))
            problems.Add($"working set max {Mib(wsMax)} MiB > {s.LimitMib} MiB");
        if (oomKills > 0)
            problems.Add($"{oomKills} OOM kills");
        if (!alive)
            problems.Add("process died");
        if (!(evaluationsPerSecond >= 0.9 * s.Policies / IntervalSeconds))
            problems.Add(f.MetricsProblem is null
                ? $"does not keep up: {evaluationsPerSecond:0.0} evaluations/s of {s.Policies / (double)IntervalSeconds:0}"
                : $"evaluations/s unknown: {f.MetricsProblem}");
        if (f.Liveness.MaxInARow >= 3)
            problems.Add($"{f.Liveness.MaxInARow} liveness failures in a row: the kubelet would restart it");
        if (samples.Count < 2)
            problems.Add("no samples");
        Console.WriteLine(problems.Count == 0
            ? $"| goal | 100m CPU / {s.LimitMib}Mi: **met** |"
            : $"| goal | 100m CPU / {s.LimitMib}Mi: **NOT met** ({string.Join("; ", problems)}) |");

        if (!alive)
        {
            Console.WriteLine();
            Console.WriteLine($"THE PRODUCT DIED ({ExitCode(f.World.Product)}, OOM kills {oomKills}). Last output:");
            Console.WriteLine(f.World.ProductOutput.Text());
        }
    }

    private static string GcDelta(Findings f, string generation) =>
        f.MetricsAfter is null || f.MetricsBefore is null
            ? "?"
            : (ByLabel(f.MetricsAfter, "dotnet_collection_count_total", "generation").GetValueOrDefault(generation)
                - ByLabel(f.MetricsBefore, "dotnet_collection_count_total", "generation").GetValueOrDefault(generation)).ToString("0", CultureInfo.InvariantCulture);

    /// <summary>A kubelet-style HTTP probe: every <paramref name="period"/>, 1 s timeout, success = 2xx/3xx.</summary>
    private static async Task ProbeAsync(Uri url, TimeSpan period, ProbeCounts counts, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var response = await http.GetAsync(url, stop);
                    ok = (int)response.StatusCode is >= 200 and < 400;
                }
                catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !stop.IsCancellationRequested))
                {
                    ok = false;
                }

                counts.Record(ok, Stopwatch.GetElapsedTime(started).TotalSeconds);
                await Task.Delay(period, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the window is over
        }
    }

    private sealed class ProbeCounts
    {
        private int _inARow;

        public int Runs { get; private set; }
        public int Failures { get; private set; }
        public int MaxInARow { get; private set; }
        public double SlowestSeconds { get; private set; }

        public void Record(bool ok, double seconds)
        {
            Runs++;
            SlowestSeconds = Math.Max(SlowestSeconds, seconds);
            _inARow = ok ? 0 : _inARow + 1;
            Failures += ok ? 0 : 1;
            MaxInARow = Math.Max(MaxInARow, _inARow);
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Failures} of {Runs} failed (max {MaxInARow} in a row), slowest {SlowestSeconds * 1000:0} ms");
    }

    // ---- the world ----

    private static async Task<WebApplication> StartTrafficAsync(int services, bool flat, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSandboxTraffic(o =>
        {
            o.Warmup = TimeSpan.FromMinutes(2);
            o.History = TimeSpan.FromMinutes(10);
            o.Services = [.. Enumerable.Range(0, services).Select(i => new SimulatedServiceOptions
            {
                Namespace = BenchNamespace, Workload = Service(i), PeakQps = 50 + i, PodCapacityQps = 50, Flat = flat,
            })];
        });
        var app = builder.Build();
        app.MapSandboxTraffic();
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>The server in sandbox mode, as a separate process, for its Kubernetes API.</summary>
    private static Process StartSandbox(string dotnetRoot, string serverDirectory, string workingDirectory, Uri url, OutputTail output)
    {
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, "dotnet"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(serverDirectory, "ScaleControl.Server.dll"));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ScaleControl__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("SCALECONTROL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority);
        start.Environment["ScaleControl__Mode"] = "Sandbox";
        start.Environment["ScaleControl__Sandbox__Seed"] = "false"; // no demo policies: the product sees exactly the bench ones

        // The sandbox process also runs the product, always leading its own cluster (leader election off in sandbox
        // mode): it would evaluate and scale the bench policies too. An explicit Kubernetes Host wins over the sandbox's
        // own API (AdapterWiring), so point its adapters at a closed port: it never syncs, never leads, never evaluates.
        start.Environment["ScaleControl__Kubernetes__Host"] = $"http://127.0.0.1:{PrometheusServer.FreePort()}/";
        start.Environment["Logging__LogLevel__Default"] = "Error";
        var process = Process.Start(start) ?? throw new BenchmarkFailure("could not start the sandbox server");
        output.Attach(process);
        return process;
    }

    private static (string Server, string Token) ReadKubeconfig(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(path) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(50);
        var lines = File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Trim()).ToArray() : throw new BenchmarkFailure($"the sandbox wrote no kubeconfig at {path}");
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim()
            ?? throw new BenchmarkFailure($"no '{name}:' in {path}");
        return (Field("server").TrimEnd('/'), Field("token"));
    }

    private static async Task<int> CreateDeploymentsAsync(HttpClient http, string apiServer, string token, int count, Func<int, int> replicas, CancellationToken ct)
    {
        var created = 0;
        string? firstFailure = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token2) =>
        {
            var name = App(i);
            var labels = new JsonObject { ["app"] = name };
            var body = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = BenchNamespace, ["labels"] = labels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = replicas(i),
                    ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "bench/app:1" }) },
                    },
                },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiServer}/apis/apps/v1/namespaces/{BenchNamespace}/deployments") { Content = Json(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, token2);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict)
                Interlocked.Increment(ref created);
            else
                Interlocked.CompareExchange(ref firstFailure, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token2)}", null);
        });
        if (created < count)
            throw new BenchmarkFailure($"only {created} of {count} Deployments were created; first failure: {firstFailure}");
        return created;
    }

    private static async Task<string?> LeaseHolderAsync(HttpClient http, string apiServer, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{apiServer}/apis/coordination.k8s.io/v1/namespaces/scalecontrol-system/leases/scalecontrol-leader");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.TryGetProperty("spec", out var spec) && spec.TryGetProperty("holderIdentity", out var holder) ? holder.GetString() : null;
    }

    /// <summary>Waits (up to 60 s) until Prometheus has two scrapes of every bench service, so rate() answers; returns how many it has.</summary>
    private static async Task<int> WaitForRatesAsync(HttpClient http, Uri prometheus, int services, CancellationToken ct)
    {
        var query = Uri.EscapeDataString($$"""count(rate(http_requests_total{namespace="{{BenchNamespace}}"}[1m]))""");
        var deadline = Stopwatch.StartNew();
        var count = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(prometheus, $"api/v1/query?query={query}"), ct));
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            count = result.GetArrayLength() == 0 ? 0 : (int)double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            if (count >= services)
                break;
            await Task.Delay(1000, ct);
        }

        return count;
    }

    /// <summary>The sandbox process's own control plane must not lead (it would evaluate the bench policies too).</summary>
    private static async Task<bool?> SandboxLeadingAsync(HttpClient http, Uri sandboxUrl, CancellationToken ct)
    {
        try
        {
            var value = Value(await http.GetStringAsync(new Uri(sandboxUrl, "metrics"), ct), "scalecontrol_leader");
            return double.IsNaN(value) ? null : value > 0;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    // ---- the product ----

    private static Process StartProduct(
        ProductCopy copy, MemoryCgroup? cgroup, string workingDirectory, Uri url, string kubeconfig, Uri prometheus, string adminToken,
        IReadOnlyList<string> extra, OutputTail output)
    {
        var dotnet = Path.Combine(copy.RuntimeDirectory, "dotnet");
        var dll = Path.Combine(copy.AppDirectory, "ScaleControl.Server.dll");
        ProcessStartInfo start;
        if (cgroup is null)
        {
            start = new ProcessStartInfo(dotnet);
            start.ArgumentList.Add(dll);
        }
        else
        {
            // The shell moves itself into the cgroup, then execs the runtime: same pid, in the cgroup from its first instruction.
            start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"echo $$ > '{cgroup.ProcsFile}' && exec \"$0\" \"$@\"");
            start.ArgumentList.Add(dotnet);
            start.ArgumentList.Add(dll);
        }

        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // A container's environment, not this one's (which `dotnet run` fills with SDK and MSBuild variables).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["HOME"] = workingDirectory;
        start.Environment["DOTNET_ROOT"] = copy.RuntimeDirectory;
        start.Environment["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        if (copy.IcuDirectory is not null)
            start.Environment["LD_LIBRARY_PATH"] = copy.IcuDirectory;
        start.Environment["DOTNET_gcServer"] = "0"; // as the image (src/ScaleControl.Server/Dockerfile)
        start.Environment["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority);
        start.Environment["ScaleControl__Mode"] = "Cluster";
        start.Environment["ScaleControl__Kubernetes__KubeconfigPath"] = kubeconfig;
        start.Environment["ScaleControl__Kubernetes__LeaderElection__Identity"] = LeaderIdentity; // election stays on, as in a cluster
        start.Environment["ScaleControl__Prometheus__Url"] = prometheus.ToString();
        start.Environment["ScaleControl__DingTalk__Enabled"] = "false";
        start.Environment["SCALECONTROL_ADMIN_TOKEN"] = adminToken;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var variable in extra)
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new BenchmarkFailure($"--env {variable}: expected NAME=VALUE");
            start.Environment[variable[..equals]] = variable[(equals + 1)..];
        }

        var process = Process.Start(start) ?? throw new BenchmarkFailure("could not start the product");
        output.Attach(process);
        return process;
    }

    private static async Task WaitForLeaderAsync(HttpClient http, Uri productUrl, World world, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (world.Product!.HasExited)
                throw new BenchmarkFailure($"the product exited ({ExitCode(world.Product)}) before leading:\n{world.ProductOutput.Text()}");
            if (Value(await http.GetStringAsync(new Uri(productUrl, "metrics"), ct), "scalecontrol_leader") == 1)
                return;
            await Task.Delay(250, ct);
        }

        throw new BenchmarkFailure($"the product did not become leader within 60 s (it must win the Lease scalecontrol-system/scalecontrol-leader alone):\n{world.ProductOutput.Text()}");
    }

    private static async Task<(int Failures, string? First)> PutPoliciesAsync(HttpClient http, Uri productUrl, string adminToken, Settings s, CancellationToken ct)
    {
        var failures = 0;
        string? first = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, s.Policies), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var name = App(i);
            var body = new JsonObject
            {
                ["apiVersion"] = "scalecontrol.io/v1alpha1",
                ["kind"] = "ScalePolicy",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = BenchNamespace },
                ["spec"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["kind"] = "Deployment", ["name"] = name },
                    ["metrics"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "qps",
                        ["query"] = $$"""sum(rate(http_requests_total{namespace="{{BenchNamespace}}",workload="{{Service(i % s.Queries)}}"}[1m]))""",
                        ["targetType"] = "PerReplica",
                        ["target"] = TargetPerReplica,
                    }),
                    ["minReplicas"] = 1,
                    ["maxReplicas"] = MaxReplicas,
                    ["mode"] = "Auto",
                    ["evaluationIntervalSeconds"] = IntervalSeconds,
                },
            };
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(productUrl, $"api/v1/policies/{BenchNamespace}/{name}")) { Content = Json(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
                using var response = await http.SendAsync(request, token);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref first, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}", null);
                }
            }
            catch (HttpRequestException ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref first, $"{name}: {ex.Message}", null);
            }
        });
        return (failures, first);
    }

    /// <summary>GET /api/v1/status once, after the window: how many policies have been evaluated and read a value.</summary>
    private static async Task<StatusSummary> PolicyStatusAsync(HttpClient http, Uri productUrl, string adminToken, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var json = JsonDocument.Parse(await GetTextAsync(http, new Uri(productUrl, "api/v1/status"), adminToken, ct));
            var took = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var policies = json.RootElement.GetProperty("policies").EnumerateArray().ToList();
            var evaluated = policies.Count(p => p.TryGetProperty("lastEvaluation", out var at) && at.ValueKind != JsonValueKind.Null);
            var withValue = policies.Count(p => p.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Array
                && m.EnumerateArray().Any(x => x.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number));
            return new StatusSummary(evaluated, withValue, policies.Count, took, null);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new StatusSummary(0, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, $"no answer within {http.Timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new StatusSummary(0, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.Message);
        }
    }

    /// <summary>Resident memory of the product by where it comes from, in KiB (from /proc/&lt;pid&gt;/smaps).</summary>
    private static Dictionary<string, long>? RssByOrigin(int pid, ProductCopy copy)
    {
        try
        {
            var totals = new Dictionary<string, long>();
            var current = "anonymous";
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var first = space > 0 ? line[..space] : line;
                if (first.Contains('-', StringComparison.Ordinal) && first.All(c => c == '-' || char.IsAsciiHexDigit(c)))
                {
                    var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                    var path = fields.Length == 6 ? fields[5].Trim() : "";
                    current = path switch
                    {
                        "" or "[heap]" or "[stack]" => "anonymous",
                        _ when path.StartsWith("/memfd:doublemapper", StringComparison.Ordinal) => "JIT code (memfd doublemapper)",
                        _ when path.StartsWith('[') => "anonymous",
                        _ when path.StartsWith(copy.AppDirectory + "/", StringComparison.Ordinal) => "app copy",
                        _ when copy.IcuDirectory is not null && path.StartsWith(copy.IcuDirectory + "/", StringComparison.Ordinal) => "ICU copy",
                        _ when path.StartsWith(copy.RuntimeDirectory + "/", StringComparison.Ordinal) => "runtime copy",
                        _ when path.StartsWith("/memfd:", StringComparison.Ordinal) || path.StartsWith("/dev/shm", StringComparison.Ordinal) => "other shmem",
                        _ => "other files (system libraries; not charged if already cached)",
                    };
                }
                else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                {
                    totals[current] = totals.GetValueOrDefault(current) + long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }

            return totals;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // ---- helpers ----

    private static async Task WaitForOkAsync(
        HttpClient http, Uri url, Process process, OutputTail output, string what, TimeSpan timeout, CancellationToken ct, MemoryCgroup? cgroup = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                var oom = cgroup?.Read() is { } reading ? $", OOM kills {reading.OomKills}" : "";
                throw new BenchmarkFailure($"the {what} exited ({ExitCode(process)}{oom}) before {url} answered:\n{output.Text()}");
            }

            try
            {
                using var response = await http.GetAsync(url, ct);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(100, ct);
        }

        throw new BenchmarkFailure($"the {what} did not answer {url} within {timeout.TotalSeconds:0} s:\n{output.Text()}");
    }

    private static async Task<string> GetTextAsync(HttpClient http, Uri url, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>A GET that may not be answered (a product starved of memory): the text, or why not within 30 s.</summary>
    private static async Task<(string? Text, string? Problem)> TryGetTextAsync(HttpClient http, Uri url, string token, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return (await GetTextAsync(http, url, token, timeout.Token), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "no answer within 30 s");
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>Sum of every series of a metric family in Prometheus text (NaN when absent).</summary>
    private static double SumSeries(string text, string name)
    {
        var values = Series(text, name).Select(s => s.Value).ToList();
        return values.Count == 0 ? 0 : values.Sum();
    }

    private static double Value(string text, string name) => Series(text, name).Select(s => s.Value).DefaultIfEmpty(double.NaN).First();

    private static Dictionary<string, double> ByLabel(string text, string name, string label) =>
        Series(text, name)
            .GroupBy(s => LabelValue(s.Labels, label) ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    private static IEnumerable<(string Labels, double Value)> Series(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length <= name.Length || (line[name.Length] != '{' && line[name.Length] != ' '))
                continue;
            var labels = line[name.Length] == '{' ? line[(name.Length + 1)..line.LastIndexOf('}')] : "";
            if (double.TryParse(line[(line.LastIndexOf(' ') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                yield return (labels, value);
        }
    }

    private static string? LabelValue(string labels, string label)
    {
        var key = label + "=\"";
        var at = labels.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
            return null;
        var start = at + key.Length;
        return labels[start..labels.IndexOf('"', start)];
    }

    private static string ExitCode(Process? process) => process is { HasExited: true } ? $"exit code {process.ExitCode}" : "running";

    private static string Mib(double? bytes) => bytes is { } b && !double.IsNaN(b) ? (b / MiB).ToString("0.0", CultureInfo.InvariantCulture) : "?";

    private static string App(int i) => $"app-{i:0000}";

    private static string Service(int i) => $"svc-{i:000}";

    private static int SteadyReplicas(int service) => Math.Min(MaxReplicas, (int)Math.Ceiling((50 + service) / TargetPerReplica));

    private sealed record StatusSummary(int Evaluated, int WithValue, int Total, double Seconds, string? Problem);

    /// <param name="ProductEnvironment">Extra <c>NAME=VALUE</c> variables for the product (<c>--env</c>, repeatable), e.g. runtime knobs to try.</param>
    private sealed record Settings(int Policies, int Queries, int Warmup, int Seconds, int LimitMib, string? ServerDirectory, IReadOnlyList<string> ProductEnvironment, bool FlatTraffic);

    private sealed class BenchmarkFailure(string message) : Exception(message);

    /// <summary>Everything started or created, torn down in reverse whatever happened.</summary>
    private sealed class World : IAsyncDisposable
    {
        public string? TempRoot { get; set; }
        public WebApplication? Traffic { get; set; }
        public Process? Sandbox { get; set; }
        public OutputTail SandboxOutput { get; } = new();
        public PrometheusServer? Prometheus { get; set; }
        public Process? Product { get; set; }
        public OutputTail ProductOutput { get; } = new();
        public MemoryCgroup? Cgroup { get; set; }

        public async ValueTask DisposeAsync()
        {
            await KillAsync(Product);
            Cgroup?.Remove(); // after the process is gone: a v1/v2 cgroup with tasks cannot be removed
            await KillAsync(Sandbox);
            if (Traffic is not null)
            {
                await Traffic.StopAsync();
                await Traffic.DisposeAsync();
            }

            if (Prometheus is not null)
                await Prometheus.DisposeAsync();
            if (TempRoot is not null)
            {
                try
                {
                    Directory.Delete(TempRoot, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"could not delete {TempRoot}: {ex.Message}");
                }
            }
        }

        private static async Task KillAsync(Process? process)
        {
            if (process is null)
                return;
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // already gone, or stuck: nothing more to do from here
            }

            process.Dispose();
        }
    }

    /// <summary>The last lines a child wrote (stdout and stderr), for failure messages.</summary>
    private sealed class OutputTail
    {
        private readonly Queue<string> _lines = new();

        public void Attach(Process process)
        {
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Text()
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }

        private void Add(string? line)
        {
            if (line is null)
                return;
            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 40)
                    _lines.Dequeue();
            }
        }
    }

    /// <summary>
    /// The runtime the server runs on: the dotnet root of the <c>dotnet</c> on PATH (else DOTNET_ROOT, else
    /// /usr/share/dotnet), its newest host/fxr, and per framework of the server's runtimeconfig the version the host
    /// picks with the default roll-forward (Minor: the lowest installed minor ≥ the requested one, then its latest
    /// patch). Plus the system ICU, which the server loads (its runtimeconfig is not globalization-invariant).
    /// </summary>
    private sealed record RuntimeLayout(
        string Root, string HostFxr, IReadOnlyList<(string Name, string Version)> Frameworks, string? IcuSource, string? IcuVersion, IReadOnlyList<string> IcuFiles)
    {
        public static RuntimeLayout Resolve(string serverDirectory)
        {
            var root = FindRoot();
            var fxr = Directory.GetDirectories(Path.Combine(root, "host", "fxr"))
                .Select(d => (Name: Path.GetFileName(d), Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
                .Where(d => d.Version is not null)
                .MaxBy(d => d.Version).Name ?? throw new BenchmarkFailure($"no host/fxr in {root}");

            using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(serverDirectory, "ScaleControl.Server.runtimeconfig.json")));
            var options = config.RootElement.GetProperty("runtimeOptions");
            var requested = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : [options.GetProperty("framework")];
            var frameworks = requested.Select(f => (Name: f.GetProperty("name").GetString()!, Version: Pick(root, f.GetProperty("name").GetString()!, f.GetProperty("version").GetString()!))).ToList();

            var invariant = options.TryGetProperty("configProperties", out var properties)
                && properties.TryGetProperty("System.Globalization.Invariant", out var flag) && flag.ValueKind == JsonValueKind.True;
            var (icuSource, icuVersion, icuFiles) = invariant ? (null, null, []) : FindIcu();
            return new RuntimeLayout(root, fxr, frameworks, icuSource, icuVersion, icuFiles);
        }

        private static string FindRoot()
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(directory, "dotnet");
                if (!File.Exists(candidate))
                    continue;
                var resolved = File.ResolveLinkTarget(candidate, returnFinalTarget: true)?.FullName ?? candidate;
                var root = Path.GetDirectoryName(resolved)!;
                if (Directory.Exists(Path.Combine(root, "shared", "Microsoft.NETCore.App")))
                    return root;
            }

            foreach (var root in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), "/usr/share/dotnet" })
            {
                if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet")) && Directory.Exists(Path.Combine(root, "shared", "Microsoft.NETCore.App")))
                    return root;
            }

            throw new BenchmarkFailure("no .NET installation found (dotnet on PATH, DOTNET_ROOT, /usr/share/dotnet)");
        }

        private static string Pick(string root, string name, string requested)
        {
            var want = Version.Parse(requested.Split('-')[0]);
            var directory = Path.Combine(root, "shared", name);
            var candidates = Directory.Exists(directory)
                ? Directory.GetDirectories(directory)
                    .Select(d => (Name: Path.GetFileName(d), Version: Version.TryParse(Path.GetFileName(d), out var v) ? v : null))
                    .Where(d => d.Version is not null && d.Version.Major == want.Major && d.Version >= want)
                    .ToList()
                : [];
            if (candidates.Count == 0)
                throw new BenchmarkFailure($"no {name} {want.Major}.x ≥ {requested} in {directory}");
            var minor = candidates.Min(c => c.Version!.Minor);
            return candidates.Where(c => c.Version!.Minor == minor).MaxBy(c => c.Version)!.Name;
        }

        /// <summary>The newest ICU major with libicuuc, libicui18n and libicudata present in the usual library folders.</summary>
        private static (string? Source, string? Version, IReadOnlyList<string> Files) FindIcu()
        {
            var triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
            foreach (var directory in new[] { $"/usr/lib/{triplet}", $"/lib/{triplet}", "/usr/lib64", "/usr/lib", "/lib64", "/lib" })
            {
                if (!Directory.Exists(directory))
                    continue;
                var majors = Directory.GetFiles(directory, "libicuuc.so.*")
                    .Select(Path.GetFileName)
                    .Where(f => f!.Length > "libicuuc.so.".Length)
                    .Select(f => f!["libicuuc.so.".Length..])
                    .Where(v => v.All(char.IsAsciiDigit))
                    .Select(v => int.Parse(v, CultureInfo.InvariantCulture))
                    .OrderDescending();
                foreach (var major in majors)
                {
                    var files = new[] { "libicuuc", "libicui18n", "libicudata" }.Select(l => Path.Combine(directory, $"{l}.so.{major}")).ToList();
                    if (files.All(File.Exists))
                        return (directory, major.ToString(CultureInfo.InvariantCulture), files);
                }
            }

            return (null, null, []);
        }
    }

    /// <summary>The runtime and the app copied into a fresh directory, each file fsynced and dropped from the page cache.</summary>
    private sealed record ProductCopy(string RuntimeDirectory, string AppDirectory, string? IcuDirectory, int Files, long Bytes, int EvictFailures)
    {
        public static ProductCopy Create(RuntimeLayout runtime, string serverDirectory, string tempRoot)
        {
            var runtimeDirectory = Path.Combine(tempRoot, "dotnet");
            var appDirectory = Path.Combine(tempRoot, "app");
            var counts = new CopyCounts();
            CopyFile(Path.Combine(runtime.Root, "dotnet"), Path.Combine(runtimeDirectory, "dotnet"), counts);
            CopyTree(Path.Combine(runtime.Root, "host", "fxr", runtime.HostFxr), Path.Combine(runtimeDirectory, "host", "fxr", runtime.HostFxr), counts);
            foreach (var (name, version) in runtime.Frameworks)
                CopyTree(Path.Combine(runtime.Root, "shared", name, version), Path.Combine(runtimeDirectory, "shared", name, version), counts);
            string? icuDirectory = null;
            if (runtime.IcuFiles.Count > 0)
            {
                // Found by the runtime through LD_LIBRARY_PATH before the system folders; the real file under the soname.
                icuDirectory = Path.Combine(runtimeDirectory, "icu");
                foreach (var file in runtime.IcuFiles)
                    CopyFile(file, Path.Combine(icuDirectory, Path.GetFileName(file)), counts);
            }

            CopyTree(serverDirectory, appDirectory, counts);
            return new ProductCopy(runtimeDirectory, appDirectory, icuDirectory, counts.Files, counts.Bytes, counts.EvictFailures);
        }

        private static void CopyTree(string source, string destination, CopyCounts counts)
        {
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                CopyFile(file, Path.Combine(destination, Path.GetRelativePath(source, file)), counts);
        }

        private static void CopyFile(string source, string destination, CopyCounts counts)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(source, destination); // follows symlinks: the copy holds the content
            if (OperatingSystem.IsLinux())
                File.SetUnixFileMode(destination, File.GetUnixFileMode(source));
            using (var stream = new FileStream(destination, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Flush(flushToDisk: true); // fsync: only clean pages can be dropped
                if (Native.PosixFadvise((int)stream.SafeFileHandle.DangerousGetHandle(), 0, 0, Native.PosixFadvDontNeed) != 0)
                    counts.EvictFailures++;
            }

            counts.Files++;
            counts.Bytes += new FileInfo(destination).Length;
        }

        private sealed class CopyCounts
        {
            public int Files { get; set; }
            public long Bytes { get; set; }
            public int EvictFailures { get; set; }
        }
    }

    /// <summary>A memory cgroup with a limit: v1 (<c>/sys/fs/cgroup/memory</c>) or v2 (<c>/sys/fs/cgroup</c> with the memory controller).</summary>
    private sealed class MemoryCgroup
    {
        private const string V1Root = "/sys/fs/cgroup/memory";
        private const string V2Root = "/sys/fs/cgroup";

        private MemoryCgroup(string path, bool v2)
        {
            Path = path;
            IsV2 = v2;
        }

        public string Path { get; }
        public bool IsV2 { get; }
        public string Version => IsV2 ? "v2" : "v1";
        public string LimitFile => IsV2 ? "memory.max" : "memory.limit_in_bytes";
        public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

        public static MemoryCgroup? TryCreate(string name, long limitBytes, out string? problem)
        {
            var problems = new List<string>();
            var limit = limitBytes.ToString(CultureInfo.InvariantCulture);
            var controllers = System.IO.Path.Combine(V2Root, "cgroup.controllers");
            if (File.Exists(controllers) && File.ReadAllText(controllers).Split(' ', '\n').Contains("memory"))
            {
                var cgroup = new MemoryCgroup(System.IO.Path.Combine(V2Root, name), v2: true);
                try
                {
                    var subtree = System.IO.Path.Combine(V2Root, "cgroup.subtree_control");
                    if (!File.ReadAllText(subtree).Split(' ', '\n').Contains("memory"))
                        File.WriteAllText(subtree, "+memory");
                    Directory.CreateDirectory(cgroup.Path);
                    File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.max"), limit);
                    if (File.Exists(System.IO.Path.Combine(cgroup.Path, "memory.swap.max")))
                        File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.swap.max"), "0"); // a kubelet node gives it no swap
                    problem = null;
                    return cgroup;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    cgroup.Remove();
                    problems.Add($"cgroup v2 at {V2Root}: {ex.Message}");
                }
            }

            if (File.Exists(System.IO.Path.Combine(V1Root, "memory.limit_in_bytes")))
            {
                var cgroup = new MemoryCgroup(System.IO.Path.Combine(V1Root, name), v2: false);
                try
                {
                    Directory.CreateDirectory(cgroup.Path);
                    File.WriteAllText(System.IO.Path.Combine(cgroup.Path, "memory.limit_in_bytes"), limit);
                    var memsw = System.IO.Path.Combine(cgroup.Path, "memory.memsw.limit_in_bytes");
                    if (File.Exists(memsw))
                        File.WriteAllText(memsw, limit); // no swap beyond the limit
                    problem = null;
                    return cgroup;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    cgroup.Remove();
                    problems.Add($"cgroup v1 at {V1Root}: {ex.Message}");
                }
            }
            else
            {
                problems.Add($"no memory controller at {V1Root} or {V2Root}");
            }

            problem = string.Join("; ", problems);
            return null;
        }

        public bool Contains(int pid)
        {
            try
            {
                var relative = "/" + System.IO.Path.GetFileName(Path);
                return File.ReadAllLines($"/proc/{pid}/cgroup").Any(l => IsV2
                    ? l == "0::" + relative
                    : l.Split(':') is [_, var controllers, var at] && controllers.Split(',').Contains("memory") && at == relative);
            }
            catch (IOException)
            {
                return false;
            }
        }

        public CgroupReading? Read()
        {
            try
            {
                var stat = KeyValues(System.IO.Path.Combine(Path, "memory.stat"));
                if (IsV2)
                {
                    var events = KeyValues(System.IO.Path.Combine(Path, "memory.events"));
                    var usage = Number(System.IO.Path.Combine(Path, "memory.current"));
                    var peak = File.Exists(System.IO.Path.Combine(Path, "memory.peak")) ? Number(System.IO.Path.Combine(Path, "memory.peak")) : usage;
                    return new CgroupReading(usage, peak, stat.GetValueOrDefault("inactive_file"), stat.GetValueOrDefault("anon"), stat.GetValueOrDefault("file"),
                        stat.GetValueOrDefault("shmem"), stat.GetValueOrDefault("file_mapped"), events.GetValueOrDefault("max"), events.GetValueOrDefault("oom_kill"));
                }

                var oom = KeyValues(System.IO.Path.Combine(Path, "memory.oom_control"));
                return new CgroupReading(
                    Number(System.IO.Path.Combine(Path, "memory.usage_in_bytes")), Number(System.IO.Path.Combine(Path, "memory.max_usage_in_bytes")),
                    stat.GetValueOrDefault("total_inactive_file"), stat.GetValueOrDefault("total_rss"), stat.GetValueOrDefault("total_cache"),
                    stat.GetValueOrDefault("total_shmem"), stat.GetValueOrDefault("total_mapped_file"),
                    Number(System.IO.Path.Combine(Path, "memory.failcnt")), oom.GetValueOrDefault("oom_kill"));
            }
            catch (IOException)
            {
                return null;
            }
        }

        /// <summary>rmdir, retried while the kernel finishes with the exited task.</summary>
        public void Remove()
        {
            for (var attempt = 0; attempt < 40 && Directory.Exists(Path); attempt++)
            {
                try
                {
                    Directory.Delete(Path); // rmdir: a cgroup's files are not removable, only the directory
                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(250);
                }
            }

            if (Directory.Exists(Path))
                Console.Error.WriteLine($"could not remove the cgroup {Path}: remove it with rmdir once its tasks are gone");
        }

        private static long Number(string file) => long.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);

        private static Dictionary<string, long> KeyValues(string file) =>
            File.ReadAllLines(file)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length == 2 && long.TryParse(p[1], CultureInfo.InvariantCulture, out _))
                .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private sealed record CgroupReading(long Usage, long MaxUsage, long InactiveFile, long Anon, long File, long Shmem, long MappedFile, long Failcnt, long OomKills)
    {
        /// <summary>What cAdvisor exports as container_memory_working_set_bytes and the kubelet evicts on.</summary>
        public long WorkingSet => Math.Max(0, Usage - InactiveFile);
    }

    private sealed record Sample(
        double Seconds, CgroupReading? Cgroup, long Rss, long RssAnon, long RssFile, long RssShmem, int Threads, double UserSeconds, double SystemSeconds, long MajorFaults)
    {
        public double CpuSeconds => UserSeconds + SystemSeconds;

        /// <summary>The cgroup's working set, or RSS without a cgroup.</summary>
        public long WorkingSet => Cgroup?.WorkingSet ?? Rss;

        /// <summary>One reading of the cgroup and of /proc/&lt;pid&gt;; null once the process is gone.</summary>
        public static Sample? Take(int pid, MemoryCgroup? cgroup, double seconds, double ticksPerSecond)
        {
            try
            {
                var status = File.ReadAllLines($"/proc/{pid}/status")
                    .Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => p[1].Trim());
                long Kib(string key) => status.TryGetValue(key, out var v) ? long.Parse(v.Split(' ')[0], CultureInfo.InvariantCulture) * 1024 : 0;

                // /proc/<pid>/stat after the command name (which may hold spaces): field 3 (state) first, so
                // majflt (field 12), utime (14) and stime (15) are at 9, 11 and 12, in clock ticks.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
                return new Sample(seconds, cgroup?.Read(), Kib("VmRSS"), Kib("RssAnon"), Kib("RssFile"), Kib("RssShmem"),
                    int.Parse(status.GetValueOrDefault("Threads", "0"), CultureInfo.InvariantCulture),
                    Field(11) / ticksPerSecond, Field(12) / ticksPerSecond, Field(9));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }

    private static class Native
    {
        public const int PosixFadvDontNeed = 4; // POSIX_FADV_DONTNEED on Linux
        private const int ScClkTck = 2; // _SC_CLK_TCK on Linux

        [DllImport("libc", EntryPoint = "posix_fadvise")]
        public static extern int PosixFadvise(int fd, long offset, long length, int advice);

        [DllImport("libc", EntryPoint = "sysconf")]
        private static extern long SysConf(int name);

        public static double ClockTicksPerSecond()
        {
            var ticks = SysConf(ScClkTck);
            return ticks > 0 ? ticks : 100;
        }
    }
}
