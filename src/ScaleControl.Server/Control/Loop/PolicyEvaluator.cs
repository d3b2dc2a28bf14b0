using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The outcome of evaluating one policy: the workload as read and the engine's decision (both null when the workload
/// is missing). A small value, so the loop's one evaluation per policy per tick allocates nothing for it: the decision
/// (about 300 bytes) stays in its <see cref="DecisionSlot"/> (a committed one is the policy's remembered decision)
/// instead of being copied into the evaluation, its ValueTask and the caller's await.
/// </summary>
public readonly struct Evaluation
{
    private readonly DecisionSlot? _slot;
    private readonly int _version;

    public Evaluation(ScalePolicy policy, string problem)
    {
        Policy = policy;
        Problem = problem;
    }

    internal Evaluation(ScalePolicy policy, WorkloadState workload, DecisionSlot slot)
    {
        Policy = policy;
        Workload = workload;
        _slot = slot;
        _version = slot.Version;
    }

    public ScalePolicy Policy { get; }

    public WorkloadState? Workload { get; }

    public string? Problem { get; }

    /// <summary>
    /// The engine's decision, copied out of its slot; the loop reads it before it evaluates the policy again, and a
    /// later read fails rather than return a newer evaluation's decision.
    /// </summary>
    public Decision? Decision => _slot is null ? null
        : _slot.Version == _version ? _slot.Value
        : throw new InvalidOperationException($"{Policy.Key} was evaluated again since: its earlier decision is no longer kept");
}

/// <summary>
/// Where a decision is kept in one piece: a policy's last decision (<see cref="PolicyRuntime"/>, overwritten in place
/// by each committed evaluation, <see cref="Version"/> counting them) or a dry run's own.
/// </summary>
public sealed class DecisionSlot
{
    internal Decision Value;

    internal int Version;
}

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

    private static Evaluation Missing(ScalePolicy policy, WorkloadRef target) => new(policy, $"{target.Kind} {target} not found");

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
            var input = new DecisionInput(policy, mine, workload, runtime.History, now, leader) { FirstReading = first };
            if (commit)
            {
                runtime.History.RecordWatchStart(input);
            }

            decision = engine.Decide(input);
            if (commit)
            {
                runtime.History.RecordEvaluation(input, in decision);
            }
        }

        if (!commit)
        {
            return new Evaluation(policy, workload, new DecisionSlot { Value = decision });
        }

        var kept = Remember(runtime, policy, mine, first, decision, workload, now);
        Observe(runtime.Series ??= telemetry.SeriesFor(policy.Metadata.Namespace, policy.Metadata.Name), policy.Spec.Mode, decision, workload);
        tick.Decided(policy, decision.DesiredReplicas, workload.SpecReplicas);
        return new Evaluation(policy, workload, kept);
    }

    /// <summary>The policy's metric queries and its leading signal's, each once.</summary>
    public static IReadOnlyCollection<string> Queries(ScalePolicy policy) =>
        policy.Spec.LeadingSignal is { } signal
            ? [.. policy.Spec.Metrics.Select(m => m.Query).Append(signal.Query).Distinct()]
            : [.. policy.Spec.Metrics.Select(m => m.Query).Distinct()];

    /// <summary>
    /// This policy's readings out of the tick's: the tick's own dictionary when it has every query the policy asks (the
    /// engine only looks up its own queries), else a copy where a query nobody sampled reads as unavailable.
    /// <paramref name="first"/> is the first metric's reading when the check found it, so neither the engine nor the
    /// bookkeeping looks it up again (a hash of the whole query string each).
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

    /// <summary>What the dashboard and <c>/status</c> keep of an evaluation; called for every policy every tick, so no LINQ, no evidence objects, and no array for the common single metric. Returns where the decision is kept.</summary>
    private static DecisionSlot Remember(
        PolicyRuntime runtime, ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, MetricReading? first, in Decision decision, WorkloadState workload, DateTimeOffset now)
    {
        var metrics = policy.Spec.Metrics;
        if (metrics.Count == 1)
        {
            var only = Snapshot(metrics[0], first ?? readings[metrics[0].Query], decision);
            return runtime.Remember(now, new ReadOnlySpan<MetricSnapshot>(in only), workload.ReadyReplicas, decision);
        }

        var snapshots = new MetricSnapshot[metrics.Count];
        for (var i = 0; i < snapshots.Length; i++)
        {
            snapshots[i] = Snapshot(metrics[i], i == 0 && first is not null ? first : readings[metrics[i].Query], decision);
        }

        return runtime.Remember(now, snapshots, workload.ReadyReplicas, decision);
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

    private static void Observe(PolicySeries series, ScaleMode mode, in Decision decision, WorkloadState workload)
    {
        series.Evaluated(mode, decision.Outcome, decision.DesiredReplicas, workload.SpecReplicas);
        for (var i = 0; i < decision.MetricCount; i++)
        {
            if (decision.MetricAt(i) is { Value: { } value } metric)
            {
                series.Metric(metric.Name, value);
            }
        }
    }
}
