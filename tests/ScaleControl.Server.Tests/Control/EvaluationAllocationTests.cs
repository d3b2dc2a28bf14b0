using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Stores;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The loop evaluates every policy every few seconds: what one evaluation with its bookkeeping (the workload read,
/// <c>Decide</c>, the history, the remembered evaluation, the <c>/metrics</c> series) allocates once the histories
/// have filled. About 300 B: the <c>DecisionInput</c>, this test's own reading and tick, and the histories' growth
/// (the last evaluation is overwritten in place; a record per evaluation with its ≈ 440 B decision, as before, would
/// add about 390 B). An async state machine per evaluation (these tests run a Debug build, where it is a class) or an
/// <c>Evaluation</c> object would add 400–1,100 B.
/// </summary>
public class EvaluationAllocationTests
{
    private const int Policies = 10;
    private const int MaxBytesPerEvaluation = 350;

    [Fact]
    public async Task EvaluateAsync_SteadyState_AllocatesLittlePerEvaluation()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero));
        var policies = Enumerable.Range(0, Policies).Select(Policy).ToArray();
        var queries = policies.Select(p => p.Spec.Metrics[0].Query).ToArray();
        var workloads = new CachedWorkloads(Enumerable.Range(0, Policies).Select(i => new WorkloadState(new WorkloadRef("bench", "Deployment", $"svc-{i}"), 20, 20, "1", null, TimeSpan.FromSeconds(45), null)));
        using var metrics = new TestMetrics();
        var runtimes = new PolicyRuntimes(Options.Create(new ControlLoopOptions()), metrics.Metrics);
        var readings = new Dictionary<string, MetricReading>(StringComparer.Ordinal);
        var evaluator = new PolicyEvaluator(
            new DecisionEngine(), workloads, new UnusedMetricSource(), new InMemoryPolicyStore(clock), new LeaderReadings(workloads, runtimes), runtimes, clock, metrics.Metrics);

        async Task TickAsync(int tick)
        {
            clock.Advance(TimeSpan.FromSeconds(5));
            for (var i = 0; i < Policies; i++)
            {
                // Half rise (prediction, step limits), half wobble inside the tolerance band.
                var value = i % 2 == 0 ? 10_000 * Math.Pow(1.002, tick % 300) : 10_000 * (1 + (((tick + i) % 7) - 3) * 0.002);
                readings[queries[i]] = MetricReading.Ok(queries[i], value, clock.GetUtcNow().AddSeconds(-8));
            }

            var decided = new LeaderReadings.Tick(policies);
            foreach (var policy in policies)
            {
                var evaluation = await evaluator.EvaluateAsync(policy, readings, decided, commit: true, CancellationToken.None);
                Assert.NotNull(evaluation.Decision);
            }
        }

        // Past the history's retention (about ten minutes), so its lists have grown to their steady size.
        for (var tick = 0; tick < 150; tick++)
        {
            await TickAsync(tick);
        }

        const int Measured = 50;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var tick = 150; tick < 150 + Measured; tick++)
        {
            await TickAsync(tick);
        }

        var perEvaluation = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(Measured * Policies);
        Assert.True(perEvaluation <= MaxBytesPerEvaluation, $"an evaluation allocated {perEvaluation:0} B (at most {MaxBytesPerEvaluation} B)");
    }

    internal static ScalePolicy Policy(int i) => new()
    {
        Metadata = new ObjectMeta { Name = $"svc-{i}", Namespace = "bench" },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Name = $"svc-{i}" },
            Metrics = [new MetricSpec { Name = "qps", Query = $"sum(rate(http_requests_total{{svc=\"svc-{i}\"}}[30s]))", Target = 500 }],
            MinReplicas = 2,
            MaxReplicas = 500,
        },
    };

    /// <summary>The workloads as the watch cache serves them: in memory, answered synchronously.</summary>
    internal sealed class CachedWorkloads(IEnumerable<WorkloadState> states) : IWorkloadClient
    {
        private readonly Dictionary<string, Task<WorkloadState?>> _byName = states.ToDictionary(s => s.Ref.Name, s => Task.FromResult<WorkloadState?>(s));

        public Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken) => _byName[target.Name];

        public Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>The tick's readings are handed in; the evaluator itself queries nothing.</summary>
    internal sealed class UnusedMetricSource : IMetricSource
    {
        public Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> queries, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
