using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control;

/// <summary>
/// One control-loop tick: maintain open proposals (escalate, expire, finish) and bring their cards up to date, then for every policy that is due,
/// sample (one query per distinct expression across all due policies), decide and act; last, start a retention pass
/// over finished proposals when one is due.
/// </summary>
public sealed class Reconciler(
    IPolicyStore policies,
    IMetricSource metrics,
    PolicyEvaluator evaluator,
    ProposalService proposals,
    CardReconciler cards,
    ProposalRetention retention,
    PolicyRuntimes runtimes,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ILogger<Reconciler> logger)
{
    public DateTimeOffset? LastTick { get; private set; }

    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var all = await policies.ListAsync(null, cancellationToken);
        var byKey = all.ToDictionary(p => p.Key, StringComparer.Ordinal);
        runtimes.Retain(byKey.Keys.ToHashSet(StringComparer.Ordinal));
        await proposals.MaintainAsync(byKey, cancellationToken);
        await cards.ReconcileAsync(byKey, cancellationToken);
        var open = await proposals.OpenByTargetAsync(cancellationToken);

        var now = time.GetUtcNow();
        // Half a tick of slack: a timer waking a hair early must not push a 5 s policy to the next tick (every 6 s).
        var horizon = now + (TimeSpan.FromSeconds(options.Value.TickSeconds) / 2);
        var due = all.Where(p => runtimes.For(p.Key).NextDue <= horizon).ToList();
        var queries = due.SelectMany(PolicyEvaluator.Queries).Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyDictionary<string, MetricReading> readings = queries.Count == 0
            ? new Dictionary<string, MetricReading>()
            : await metrics.QueryAsync(queries, cancellationToken);

        foreach (var policy in due)
        {
            runtimes.For(policy.Key).NextDue = now.AddSeconds(Math.Max(1, policy.Spec.EvaluationIntervalSeconds));
            try
            {
                await EvaluateAndActAsync(policy, readings, open, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.EvaluationFailed(ex, policy.Metadata.Namespace, policy.Metadata.Name);
            }
        }

        // Not awaited: a long pass (a backlog of deletes) must not hold up the next tick's decisions.
        _ = retention.PruneIfDueAsync(cancellationToken);

        LastTick = now;
        ScaleControlMetrics.LastTick.Set(now.ToUnixTimeMilliseconds() / 1000.0);
    }

    private async Task EvaluateAndActAsync(
        ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, Dictionary<string, ScaleProposal> openByTarget, CancellationToken cancellationToken)
    {
        var evaluation = await evaluator.EvaluateAsync(policy, readings, commit: true, cancellationToken);
        if (evaluation is not { Workload: { } workload, Decision: { } decision })
        {
            logger.WorkloadMissing(policy.Spec.Target.Name, policy.Metadata.Namespace, policy.Metadata.Name);
            await WriteStatusAsync(policy, null, evaluation.Problem, cancellationToken);
            return;
        }

        var targetKey = ProposalRules.TargetKey(ProposalFactory.TargetOf(policy));
        var open = openByTarget.GetValueOrDefault(targetKey);
        var acted = decision.Outcome switch
        {
            DecisionOutcome.ApplyNow when decision.DesiredReplicas != workload.SpecReplicas && open?.Status.Phase is null or ProposalPhase.Pending
                => await proposals.ApplyAutomaticallyAsync(policy, decision, workload, open, cancellationToken),
            DecisionOutcome.Propose when open is null || (open.Status.Phase == ProposalPhase.Pending && ProposalRules.Differs(policy, open, decision, workload))
                => await proposals.ProposeAsync(policy, decision, workload, open, cancellationToken),
            _ => null,
        };

        if (acted is not null)
        {
            // Keep the tick's view current in case another policy names the same target.
            if (acted.Status.Phase.IsOpen())
            {
                openByTarget[targetKey] = acted;
            }
            else
            {
                openByTarget.Remove(targetKey);
            }

            logger.DecisionMade(policy.Metadata.Namespace, policy.Metadata.Name, decision.Outcome, decision.CurrentReplicas, decision.DesiredReplicas, decision.Reason);
        }

        await WriteStatusAsync(policy, decision, null, cancellationToken);
    }

    /// <summary>
    /// Between one and two refresh periods, fixed per policy: policies that started together would otherwise all
    /// refresh in the same tick, a burst of writes that holds the whole loop behind the client's rate limit.
    /// </summary>
    private TimeSpan RefreshAfter(string policyKey)
    {
        var spread = (StringComparer.Ordinal.GetHashCode(policyKey) & int.MaxValue) / (double)int.MaxValue;
        return TimeSpan.FromSeconds(options.Value.StatusRefreshSeconds * (1 + spread));
    }

    /// <summary>
    /// Writes the status subresource when the replicas or the problem change, and otherwise refreshes it at most every
    /// <see cref="ControlLoopOptions.StatusRefreshSeconds"/> (spread per policy up to twice that): the reason carries live metric values, so writing it on
    /// every evaluation would cost 1,000 policies at 5 s 200 writes a second and starve the client's rate limit.
    /// The live view (<c>/api/v1/status</c>, the dashboard) comes from memory, not from this status.
    /// </summary>
    private async Task WriteStatusAsync(ScalePolicy policy, Decision? decision, string? problem, CancellationToken cancellationToken)
    {
        var status = policy.Status ?? new ScalePolicyStatus();
        var reason = decision?.Reason ?? problem;
        var sameState = status.CurrentReplicas == decision?.CurrentReplicas
            && status.DesiredReplicas == decision?.DesiredReplicas
            && status.Conditions.Count == (problem is null ? 0 : 1)
            && (problem is null || status.LastReason == problem);
        var recent = status.LastEvaluationTime is { } written
            && time.GetUtcNow() - written < RefreshAfter(policy.Key);
        if (sameState && (status.LastReason == reason || recent))
        {
            return;
        }

        var now = time.GetUtcNow();
        Condition[] conditions = problem is null ? [] : [new Condition { Type = "WorkloadMissing", Reason = "NotFound", Message = problem, LastTransitionTime = now }];
        try
        {
            await policies.UpdateStatusAsync(policy with
            {
                Status = status with
                {
                    LastEvaluationTime = now,
                    CurrentReplicas = decision?.CurrentReplicas,
                    DesiredReplicas = decision?.DesiredReplicas,
                    LastReason = reason,
                    Conditions = conditions,
                },
            }, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The policy changed under us; the next tick writes the status against the new version.
        }
    }
}
