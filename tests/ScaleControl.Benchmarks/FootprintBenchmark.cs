using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Prometheus;

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
internal static partial class FootprintBenchmark
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
        // The sandbox's Kubernetes API serves https with the certificate its kubeconfig carries (SandboxApiTrust).
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = SandboxApiTrust.Validate })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
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
        await CreateNamespaceAsync(http, apiServer, apiToken, ct); // the cluster creates none on its own, as a real one
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
        var (failures, firstFailure) = await PutPoliciesAsync(http, productUrl, adminToken, s.Policies,
            i => $$"""sum(rate(http_requests_total{namespace="{{BenchNamespace}}",workload="{{Service(i % s.Queries)}}"}[1m]))""", ct);
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
                + $"Cluster mode, the image's {string.Join(' ', ImageEnvironment.Runtime().Select(v => $"{v.Key}={v.Value}"))}, DingTalk off, leader election on (lease holder: {f.LeaseHolder ?? "?"})"
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
}
