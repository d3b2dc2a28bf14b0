using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Loop;

/// <summary>The outcome of evaluating one policy: the workload as read, and the engine's decision (both null when the workload is missing).</summary>
public sealed record Evaluation(ScalePolicy Policy, WorkloadState? Workload, Decision? Decision, string? Problem);

/// <summary>
/// Evaluates one policy: reads the workload, feeds the readings into the policy's history and asks the pure
/// <see cref="DecisionEngine"/>. A dry run (the <c>evaluate</c> endpoint) decides on the same history without
/// changing it.
/// </summary>
public sealed class PolicyEvaluator(DecisionEngine engine, IWorkloadClient workloads, IMetricSource metrics, PolicyRuntimes runtimes, TimeProvider time)
{
    public async Task<Evaluation> DryRunAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var readings = await metrics.QueryAsync(Queries(policy), cancellationToken);
        return await EvaluateAsync(policy, readings, commit: false, cancellationToken);
    }

    public async Task<Evaluation> EvaluateAsync(ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, bool commit, CancellationToken cancellationToken)
    {
        var target = ProposalFactory.TargetOf(policy);
        var workload = await workloads.GetAsync(target, cancellationToken);
        if (workload is null)
        {
            return new Evaluation(policy, null, null, $"{target.Kind} {target} not found");
        }

        var now = time.GetUtcNow();
        var mine = Queries(policy)
            .ToDictionary(q => q, q => readings.GetValueOrDefault(q) ?? MetricReading.Failed(q, MetricStatus.Unavailable, "not sampled"));
        var runtime = runtimes.For(policy.Key);
        Decision decision;
        lock (runtime.Gate)
        {
            var input = new DecisionInput(policy, mine, workload, runtime.History, now);
            decision = engine.Decide(input);
            if (commit)
            {
                runtime.History.RecordEvaluation(input, decision);
            }
        }

        if (commit)
        {
            runtime.Remember(ToRecord(policy, mine, decision, workload, now));
            Observe(policy, decision, workload);
        }

        return new Evaluation(policy, workload, decision, null);
    }

    /// <summary>The policy's metric queries and its leading signal's, each once.</summary>
    public static IReadOnlyCollection<string> Queries(ScalePolicy policy) =>
        policy.Spec.LeadingSignal is { } signal
            ? [.. policy.Spec.Metrics.Select(m => m.Query).Append(signal.Query).Distinct()]
            : [.. policy.Spec.Metrics.Select(m => m.Query).Distinct()];

    private static EvaluationRecord ToRecord(ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, Decision decision, WorkloadState workload, DateTimeOffset now) => new(
        now,
        [.. policy.Spec.Metrics.Select(m =>
        {
            var reading = readings[m.Query];
            var evidence = decision.Evidence.Metrics.FirstOrDefault(e => e.Name == m.Name);
            return new MetricSnapshot(m.Name, evidence?.Value ?? reading.Value, evidence?.Predicted, reading.Status, evidence?.Problem ?? reading.Problem);
        })],
        workload.SpecReplicas,
        workload.ReadyReplicas,
        decision.DesiredReplicas,
        decision.Outcome,
        decision.Reason);

    private static void Observe(ScalePolicy policy, Decision decision, WorkloadState workload)
    {
        var (ns, name) = (policy.Metadata.Namespace, policy.Metadata.Name);
        ScaleControlMetrics.Evaluations.WithLabels(ns, name).Inc();
        ScaleControlMetrics.Decisions.WithLabels(decision.Outcome.ToString()).Inc();
        ScaleControlMetrics.DesiredReplicas.WithLabels(ns, name).Set(decision.DesiredReplicas);
        ScaleControlMetrics.CurrentReplicas.WithLabels(ns, name).Set(workload.SpecReplicas);
        foreach (var metric in decision.Evidence.Metrics.Where(m => m.Value is not null))
        {
            ScaleControlMetrics.MetricValue.WithLabels(ns, name, metric.Name).Set(metric.Value!.Value);
        }
    }
}
