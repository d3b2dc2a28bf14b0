using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The outcome of evaluating one policy: the workload as read and the engine's decision (both null when the workload
/// is missing). A value, so the loop's one evaluation per policy per tick allocates nothing for it.
/// </summary>
public readonly record struct Evaluation(ScalePolicy Policy, WorkloadState? Workload, Decision? Decision, string? Problem);

/// <summary>
/// Evaluates one policy: reads the workload, feeds the readings into the policy's history and asks the pure
/// <see cref="DecisionEngine"/>. A dry run (the <c>evaluate</c> endpoint) decides on the same history without
/// changing it.
/// </summary>
public sealed class PolicyEvaluator(
    DecisionEngine engine, IWorkloadClient workloads, IMetricSource metrics, IPolicyStore policies, LeaderReadings leaders, PolicyRuntimes runtimes, TimeProvider time, ScaleControlMetrics telemetry)
{
    public async ValueTask<Evaluation> DryRunAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var readings = await metrics.QueryAsync(Queries(policy), cancellationToken);
        var tick = new LeaderReadings.Tick(policy.Spec.Follow is null ? [] : await policies.ListAsync(null, cancellationToken));
        return await EvaluateAsync(policy, readings, tick, commit: false, cancellationToken);
    }

    /// <param name="tick">The tick's policies and decisions so far, for a <c>follow</c> policy's leader.</param>
    public ValueTask<Evaluation> EvaluateAsync(
        ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, LeaderReadings.Tick tick, bool commit, CancellationToken cancellationToken)
    {
        var runtime = runtimes.For(policy.Metadata.Namespace, policy.Metadata.Name);
        var target = runtime.TargetOf(policy);
        var read = workloads.GetAsync(target, cancellationToken);

        // The watch cache answers at once and a policy without `follow` reads no leader: then the evaluation runs
        // synchronously, without an async state machine per policy per tick.
        if (!read.IsCompletedSuccessfully || policy.Spec.Follow is not null)
        {
            return AwaitedAsync(policy, readings, tick, commit, runtime, target, read, cancellationToken);
        }

        return new ValueTask<Evaluation>(read.Result is { } workload
            ? Evaluate(policy, readings, tick, commit, runtime, workload, time.GetUtcNow(), leader: null)
            : Missing(policy, target));
    }

    private async ValueTask<Evaluation> AwaitedAsync(
        ScalePolicy policy,
        IReadOnlyDictionary<string, MetricReading> readings,
        LeaderReadings.Tick tick,
        bool commit,
        PolicyRuntime runtime,
        WorkloadRef target,
        Task<WorkloadState?> read,
        CancellationToken cancellationToken)
    {
        if (await read is not { } workload)
        {
            return Missing(policy, target);
        }

        var now = time.GetUtcNow();
        var leader = await leaders.ReadAsync(policy, tick, cancellationToken);
        return Evaluate(policy, readings, tick, commit, runtime, workload, now, leader);
    }

    private static Evaluation Missing(ScalePolicy policy, WorkloadRef target) => new(policy, null, null, $"{target.Kind} {target} not found");

    private Evaluation Evaluate(
        ScalePolicy policy,
        IReadOnlyDictionary<string, MetricReading> readings,
        LeaderReadings.Tick tick,
        bool commit,
        PolicyRuntime runtime,
        WorkloadState workload,
        DateTimeOffset now,
        LeaderReading? leader)
    {
        var mine = ReadingsOf(policy, readings, out var first);
        Decision decision;
        lock (runtime.Gate)
        {
            var input = new DecisionInput(policy, mine, workload, runtime.History, now, leader);
            if (commit)
            {
                runtime.History.RecordWatchStart(input);
            }

            decision = engine.Decide(input);
            if (commit)
            {
                runtime.History.RecordEvaluation(input, in decision, first);
            }
        }

        if (commit)
        {
            Remember(runtime, policy, mine, first, decision, workload, now);
            Observe(runtime.Series ??= telemetry.SeriesFor(policy.Metadata.Namespace, policy.Metadata.Name), decision, workload);
            tick.Decided(policy, decision.DesiredReplicas);
        }

        return new Evaluation(policy, workload, decision, null);
    }

    /// <summary>The policy's metric queries and its leading signal's, each once.</summary>
    public static IReadOnlyCollection<string> Queries(ScalePolicy policy) =>
        policy.Spec.LeadingSignal is { } signal
            ? [.. policy.Spec.Metrics.Select(m => m.Query).Append(signal.Query).Distinct()]
            : [.. policy.Spec.Metrics.Select(m => m.Query).Distinct()];

    /// <summary>
    /// This policy's readings out of the tick's: the tick's own dictionary when it has every query the policy asks (the
    /// engine only looks up its own queries), else a copy where a query nobody sampled reads as unavailable.
    /// <paramref name="first"/> is the first metric's reading when the check found it, so remembering the evaluation
    /// need not look it up again (a hash of the whole query string per evaluation).
    /// </summary>
    private static IReadOnlyDictionary<string, MetricReading> ReadingsOf(
        ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, out MetricReading? first)
    {
        first = null;
        var metrics = policy.Spec.Metrics;
        var complete = policy.Spec.LeadingSignal is not { } asked || readings.ContainsKey(asked.Query);
        for (var i = 0; complete && i < metrics.Count; i++)
        {
            complete = readings.TryGetValue(metrics[i].Query, out var found);
            if (i == 0)
            {
                first = found;
            }
        }

        if (complete)
        {
            return readings;
        }

        first = null;

        var mine = new Dictionary<string, MetricReading>(metrics.Count + 1);
        for (var i = 0; i < metrics.Count; i++)
        {
            Add(mine, readings, metrics[i].Query);
        }

        if (policy.Spec.LeadingSignal is { } signal)
        {
            Add(mine, readings, signal.Query);
        }

        return mine;

        static void Add(Dictionary<string, MetricReading> mine, IReadOnlyDictionary<string, MetricReading> readings, string query)
        {
            if (!mine.ContainsKey(query))
            {
                mine[query] = readings.GetValueOrDefault(query) ?? MetricReading.Failed(query, MetricStatus.Unavailable, "not sampled");
            }
        }
    }

    /// <summary>What the dashboard and <c>/status</c> keep of an evaluation; called for every policy every tick, so no LINQ, no evidence objects, and no array for the common single metric.</summary>
    private static void Remember(
        PolicyRuntime runtime, ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, MetricReading? first, in Decision decision, WorkloadState workload, DateTimeOffset now)
    {
        var metrics = policy.Spec.Metrics;
        if (metrics.Count == 1)
        {
            var only = Snapshot(metrics[0], first ?? readings[metrics[0].Query], decision);
            runtime.Remember(now, new ReadOnlySpan<MetricSnapshot>(in only), workload.ReadyReplicas, decision);
            return;
        }

        var snapshots = new MetricSnapshot[metrics.Count];
        for (var i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = Snapshot(metrics[i], i == 0 && first is not null ? first : readings[metrics[i].Query], decision);
        }

        runtime.Remember(now, snapshots, workload.ReadyReplicas, decision);
    }

    private static MetricSnapshot Snapshot(MetricSpec metric, MetricReading reading, in Decision decision)
    {
        var assessed = Assessed(decision, metric.Name);
        return new MetricSnapshot(metric.Name, assessed?.Value ?? reading.Value, assessed?.Predicted, reading.Status, assessed?.Problem ?? reading.Problem);
    }

    private static MetricView? Assessed(in Decision decision, string name)
    {
        for (var i = 0; i < decision.MetricCount; i++)
        {
            if (decision.MetricAt(i) is var metric && metric.Name == name)
            {
                return metric;
            }
        }

        return null;
    }

    private static void Observe(PolicySeries series, in Decision decision, WorkloadState workload)
    {
        series.Evaluated(decision.Outcome, decision.DesiredReplicas, workload.SpecReplicas);
        for (var i = 0; i < decision.MetricCount; i++)
        {
            if (decision.MetricAt(i) is { Value: { } value } metric)
            {
                series.Metric(metric.Name, value);
            }
        }
    }
}
