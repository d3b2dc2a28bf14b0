extern alias server;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Testing.Stores;
using server::ScaleControl.Server.Control.Loop;
using server::ScaleControl.Server.Hosting;
using server::ScaleControl.Server.Telemetry;

namespace ScaleControl.Benchmarks;

/// <summary>
/// 10,000 evaluations as the control loop makes them, the engine's fleet of <see cref="EngineBenchmark"/> (100
/// policies) over 100 ticks of 5 s: per tick one read of every policy's metric from a fake metric source (the
/// loop's one query per distinct expression), then per policy the server's own <see cref="PolicyEvaluator"/> with
/// <c>commit: true</c> — workload read (a fake, no I/O), the policy's readings, <c>Decide</c>, the history
/// bookkeeping, the dashboard sample and last evaluation (<see cref="PolicyRuntime.Remember"/>) and the
/// <c>/metrics</c> series (the meter with its Prometheus export listening). Not included: the status write and proposals, which happen on a change, not per tick.
/// </summary>
[MemoryDiagnoser]
public class LoopEvaluationBenchmark
{
    private const int Policies = 100;
    private const int Ticks = EngineBenchmark.Evaluations / Policies;

    /// <summary>
    /// Runs before the measured ones: the JIT's tiering (instrumented, then optimized code with its profile) keeps
    /// making the runs faster for about fifty of them (16 → 12.5 ms, measured on the thread's CPU time); the loop of a
    /// running server is long past it.
    /// </summary>
    private const int Warmups = 50;

    private ScalePolicy[] _policies = [];
    private string[] _queries = [];
    private ManualClock _clock = new(EngineBenchmark.Start);
    private FakeMetricSource _metrics = null!;
    private PolicyEvaluator _evaluator = null!;
    private ServiceProvider? _meters;
    private int _sum;
    private PrometheusMeterExport? _export;

    /// <summary>0: every tick reads a new value (a 5 s scrape); else each value holds for this many seconds, as rate() between scrapes.</summary>
    public int ScrapeSeconds { get; set; }

    [IterationCleanup]
    public void Cleanup()
    {
        _export?.Dispose();
        _meters?.Dispose();
    }

    [IterationSetup]
    public void Setup()
    {
        _clock = new ManualClock(EngineBenchmark.Start);
        _policies = [.. Enumerable.Range(0, Policies).Select(EngineBenchmark.Policy)];
        _queries = [.. _policies.Select(p => p.Spec.Metrics[0].Query)];
        _metrics = new FakeMetricSource(_clock, [.. Enumerable.Range(0, Policies).Select(EngineBenchmark.Level)], _queries, ScrapeSeconds);
        // The host's meter with its /metrics export listening, as in the server.
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new ScaleControlMetrics(_meters.GetRequiredService<IMeterFactory>());
        var runtimes = new PolicyRuntimes(Options.Create(new ControlLoopOptions()), telemetry);
        for (var i = 0; i < Policies; i++)
        {
            EngineBenchmark.Prefill(runtimes.For(_policies[i].Metadata.Namespace, _policies[i].Metadata.Name).History, i);
        }

        var workloads = new FakeWorkloads([.. Enumerable.Range(0, Policies).Select(EngineBenchmark.Workload)]);
        _export = new PrometheusMeterExport(telemetry, global::Prometheus.Metrics.NewCustomRegistry());
        _evaluator = new PolicyEvaluator(
            new DecisionEngine(), workloads, _metrics, new InMemoryPolicyStore(_clock), new LeaderReadings(workloads, runtimes), runtimes, _clock, telemetry);
    }

    /// <remarks>
    /// Shaped as the server's <c>Reconciler</c>: a method per tick and a method per policy, each called thousands of
    /// times, so the JIT optimises them as it does the server's. (One long method holding both loops ran every
    /// timed run from its unoptimised Tier0 code until on-stack replacement took over a few ticks in — ≈ 15 % of the
    /// run's samples — a cost the server's loop does not have.)
    /// </remarks>
    [Benchmark(Description = "10,000 evaluations incl. the loop's bookkeeping")]
    public async Task<int> TenThousandLoopEvaluations()
    {
        _sum = 0;
        for (var tick = 0; tick < Ticks; tick++)
        {
            await TickAsync();
        }

        return _sum;
    }

    /// <summary>Returns a <see cref="Task"/> as the server's tick does: completed synchronously, it allocates nothing.</summary>
    private async Task TickAsync()
    {
        _clock.Advance(TimeSpan.FromSeconds(5));
        var readings = await _metrics.QueryAsync(_queries, CancellationToken.None);
        var decided = new LeaderReadings.Tick(_policies);
        foreach (var policy in _policies)
        {
            await EvaluateOneAsync(policy, readings, decided);
        }
    }

    private async Task EvaluateOneAsync(ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, LeaderReadings.Tick decided)
    {
        var evaluation = await _evaluator.EvaluateAsync(policy, readings, decided, commit: true, CancellationToken.None);
        _sum += evaluation.Decision!.Value.DesiredReplicas;
    }

    /// <summary>
    /// <c>-- engine-cpu [runs]</c>: the same 10,000 evaluations timed by the CPU time of the thread that runs them
    /// (<see cref="ThreadCpuClock"/>) instead of the wall clock, so a machine shared with other work still gives the
    /// figure one core would (wall time there counts the waits for a core), and the JIT compiling the set-up code in
    /// the background does not count (the process's CPU time is printed beside it). Every await in the loop completes
    /// synchronously, so one thread runs it all (checked). Prints every run, the median and the fastest after
    /// <see cref="Warmups"/> warm-up runs, then the same for <see cref="EngineBenchmark"/>'s 10,000 <c>Decide</c> calls alone.
    /// <c>--scrape 15</c>: each policy's value changes once per 15 s scrape, as production's rate() reads between
    /// scrapes (two of three evaluations see the previous one's runs); without it, a new value at every tick.
    /// </summary>
    public static async Task<int> RunCpuAsync(string[] args)
    {
        if (ImageEnvironment.MissingHere() is { Count: > 0 } missing)
        {
            // The loop runs with the GC settings of the server's image, which only the environment can set.
            return await ImageEnvironment.RerunWithAsync(missing, ["engine-cpu", .. args]);
        }

        var runs = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
        var scrape = BenchmarkArgs.Option(args, "--scrape", 0);
        if (scrape is < 0 or > 3600)
        {
            Console.Error.WriteLine($"--scrape must be 0 (a new value every tick) to 3600 seconds, not {scrape}");
            return 2;
        }

        var bench = new LoopEvaluationBenchmark { ScrapeSeconds = scrape };
        var cpu = new List<double>();
        var processCpu = new List<double>();
        var allocated = new List<double>();
        for (var run = -Warmups; run < runs; run++)
        {
            bench.Setup();
            // The set-up's garbage is collected before the clock starts: the runs pay for their own allocations only.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var thread = Environment.CurrentManagedThreadId;
            var processBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var before = ThreadCpuClock.Now();
            var pending = bench.TenThousandLoopEvaluations();
            var spent = ThreadCpuClock.Now() - before;
            var processSpent = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - processBefore;
            if (!pending.IsCompleted || Environment.CurrentManagedThreadId != thread)
            {
                throw new InvalidOperationException("the loop awaited something asynchronously: its CPU time is not one thread's");
            }

            await pending;
            bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
            bench.Cleanup();
            if (run >= 0)
            {
                cpu.Add(spent.TotalMilliseconds);
                processCpu.Add(processSpent.TotalMilliseconds);
                allocated.Add(bytes / (double)EngineBenchmark.Evaluations);
            }
        }

        var image = ImageEnvironment.Runtime();
        Console.WriteLine($"runtime: tiered PGO {(TieredPgo() ? "on" : "off")} (the server runs with it off; DOTNET_TieredPGO=1 or 0 overrides); "
            + $"{string.Join(", ", image.Keys.Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}"))} (the image's: {string.Join(", ", image.Select(v => $"{v.Key}={v.Value}"))})");
        Console.WriteLine($"metric values: {(bench.ScrapeSeconds > 0 ? $"one per {bench.ScrapeSeconds} s scrape" : "a new one at every 5 s tick")}");
        Console.WriteLine($"runs in order (ms): {string.Join(' ', cpu.Select(c => c.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Console.WriteLine($"10,000 evaluations incl. the loop's bookkeeping, CPU time over {runs} runs: median {BenchmarkArgs.Percentile(cpu, 50):0.0} ms, fastest {cpu.Min():0.0} ms; allocated per evaluation (this thread, incl. the fake metric source): median {BenchmarkArgs.Percentile(allocated, 50):0} B");
        Console.WriteLine($"  the whole process's CPU time over the same runs (adds the background JIT and GC threads): median {BenchmarkArgs.Percentile(processCpu, 50):0.0} ms, fastest {processCpu.Min():0.0} ms");

        var engine = new EngineBenchmark();
        engine.Setup();
        cpu.Clear();
        for (var run = -2; run < runs; run++)
        {
            var before = ThreadCpuClock.Now();
            engine.TenThousandEvaluations();
            var spent = ThreadCpuClock.Now() - before;
            if (run >= 0)
            {
                cpu.Add(spent.TotalMilliseconds);
            }
        }

        Console.WriteLine($"10,000 Decide alone, CPU time over {runs} runs: median {BenchmarkArgs.Percentile(cpu, 50):0.0} ms, fastest {cpu.Min():0.0} ms");
        return 0;
    }

    /// <summary>Whether the JIT uses tiered PGO: the environment's DOTNET_TieredPGO, else the runtimeconfig's, else on (.NET's default).</summary>
    private static bool TieredPgo() =>
        Environment.GetEnvironmentVariable("DOTNET_TieredPGO") is { } variable ? variable != "0"
        : !AppContext.TryGetSwitch("System.Runtime.TieredPGO", out var configured) || configured;

    /// <summary>
    /// The benchmark's clock, advanced by hand as FakeTimeProvider is, but read as cheaply as the server's
    /// TimeProvider.System: FakeTimeProvider takes a lock and looks for due timers on every read, a cost the
    /// server's loop does not have. Nothing here waits on a timer.
    /// </summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    /// <summary>
    /// Each policy's level with a little deterministic wobble, sampled 8 s before the tick; with
    /// <paramref name="scrapeSeconds"/> the wobble is the last scrape's, so the value repeats until the next one.
    /// </summary>
    private sealed class FakeMetricSource(TimeProvider clock, double[] levels, string[] queries, int scrapeSeconds) : IMetricSource
    {
        private readonly Dictionary<string, MetricReading> _readings = new(StringComparer.Ordinal);

        public Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> asked, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var scraped = scrapeSeconds > 0 ? now.AddSeconds(-(now.ToUnixTimeSeconds() % scrapeSeconds)) : now;
            for (var i = 0; i < queries.Length; i++)
            {
                var value = levels[i] * (1 + ((((i + scraped.Second) % 7) - 3) * 0.002));
                _readings[queries[i]] = MetricReading.Ok(queries[i], value, now.AddSeconds(-8));
            }

            return Task.FromResult<IReadOnlyDictionary<string, MetricReading>>(_readings);
        }

        public Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) =>
            throw new NotSupportedException("the loop does not range-query");
    }

    /// <summary>The workloads as a watch cache serves them: in memory, answered synchronously.</summary>
    private sealed class FakeWorkloads(WorkloadState[] states) : IWorkloadClient
    {
        private readonly Dictionary<string, Task<WorkloadState?>> _byName = states.ToDictionary(s => s.Ref.Name, s => Task.FromResult<WorkloadState?>(s));

        public Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken) => _byName[target.Name];

        public Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException("no scale writes in this benchmark");
    }
}
