using System.Text.Json.Serialization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Simulation;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Queries;

/// <param name="AutomaticTo">On a Hybrid policy: the count its automatic allowance took the workload to at this step
/// (left out of the JSON when nothing was applied automatically).</param>
public sealed record WhatIfStep(
    DateTimeOffset Time,
    IReadOnlyDictionary<string, double?> Values,
    IReadOnlyDictionary<string, double?> Predicted,
    int CurrentReplicas,
    int DesiredReplicas,
    DecisionOutcome Outcome,
    string Reason,
    string? Approval = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? AutomaticTo = null);

/// <param name="Proposals">Proposals made (each waits for its approval); <paramref name="Approved"/> of them were approved
/// within the window, <paramref name="Expired"/> expired first; <paramref name="Applied"/>: changes applied automatically.</param>
public sealed record WhatIfSummary(int Changes, int MaxReplicas, int MinReplicas, int Proposals, int Applied, int Approved = 0, int Expired = 0);

/// <param name="StartReplicas">The count the replay starts from: what the workload had at <paramref name="From"/>.</param>
/// <param name="StartedFrom">Where that count comes from ("applied proposal …", or "the workload now" when ScaleControl changed nothing since).</param>
/// <param name="Note">Set when the replay's own start shaped it: it starts without history, so like a loop that just
/// started watching it held the starting count for the scale-down window where the running loop may not have.</param>
/// <param name="ApprovalDelaySeconds">How long after it was made each proposal was taken as approved; <paramref name="ApprovalDelaySource"/> says why that long.</param>
public sealed record WhatIfResult(string Policy, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<WhatIfStep> Steps, WhatIfSummary Summary,
    int StartReplicas = 0, string StartedFrom = "", string? Note = null, int ApprovalDelaySeconds = 0, string ApprovalDelaySource = "");

/// <summary>
/// Replays the last N seconds of real metric history (range queries) through the engine in simulated time: what
/// would this policy have done? It uses the replay benchmark's pieces (ScaleControl.Simulation): the engine wired
/// as the control loop wires it (<see cref="EngineController"/>, evaluated every policy interval on the latest
/// recorded sample, as Prometheus would serve it) and the cluster model (new pods serve after the workload's
/// observed start-up time, 45 s when unknown). A proposal is taken as approved a while after it was made
/// (<see cref="WhatIfApprovals"/>): by default the policy's escalation time, when ScaleControl DINGs the approvers, or
/// the caller's delay (0: at once, the policy's intent without the approvers' speed). A Hybrid decision is split as the
/// loop splits it (<see cref="WhatIfHybridSplit"/>): the allowance at once, the rest proposed. Freezes and pins are ignored;
/// an HPA that owns the workload keeps its own minimum, as in the loop. A row is reported per stepSeconds, and every
/// evaluation that changes the count; the policy is evaluated at its own interval whatever the step.
/// The replay starts from the count the workload had at the start of the window — the "from" of the first change
/// ScaleControl applied since then — not from today's count, which would make a bogus first change.
/// </summary>
public sealed class WhatIfSimulator(DecisionEngine engine, IMetricSource metrics, IWorkloadClient workloads, IProposalStore proposals, TimeProvider time)
{
    /// <summary>Without an escalation on the policy: the escalation's own default, the time by which approvers are DINGed.</summary>
    public static readonly TimeSpan DefaultApprovalDelay = TimeSpan.FromSeconds(new EscalationSpec().AfterSeconds);

    /// <param name="approvalDelaySeconds">How long a person takes to approve; null: the policy's escalation time.</param>
    /// <param name="until">When the window ends; null: now.</param>
    public async Task<WhatIfResult> RunAsync(ScalePolicy policy, int fromSeconds, int stepSeconds, int? approvalDelaySeconds, CancellationToken cancellationToken, DateTimeOffset? until = null)
    {
        var to = until ?? time.GetUtcNow();
        var from = to.AddSeconds(-fromSeconds);
        var step = TimeSpan.FromSeconds(stepSeconds);
        var series = new Dictionary<string, IReadOnlyList<MetricPoint>>(StringComparer.Ordinal);
        var unread = new Dictionary<string, MetricReading>(StringComparer.Ordinal);
        foreach (var query in PolicyEvaluator.Queries(policy))
        {
            try
            {
                series[query] = await metrics.QueryRangeAsync(query, from, to, step, cancellationToken);
            }
            catch (MetricQueryException e) when (policy.Spec.Metrics.All(m => m.Query != query))
            {
                // Only the leading signal: the loop decides from the metrics then and says why there is no floor, so
                // the replay does too, instead of refusing to replay a policy that runs.
                unread[query] = MetricReading.Failed(query, e.Status, e.Message);
            }
            catch (MetricQueryException e)
            {
                throw new MetricQueryException(e.Status, $"query {query}: {e.Message}", e);
            }
        }

        var target = ProposalFactory.TargetOf(policy);
        var state = await workloads.GetAsync(target, cancellationToken);
        var (then, startedFrom) = await ReplicasAtAsync(target, state, from, cancellationToken);
        var replicas = Math.Clamp(then ?? policy.Spec.MinReplicas, policy.Spec.MinReplicas, policy.Spec.MaxReplicas);
        var startReplicas = replicas;
        var simulated = policy with { Spec = policy.Spec with { Freeze = null, Pin = null } };
        var startup = state?.ObservedStartupTime?.TotalSeconds ?? 45;
        // The simulator applies what the approvals and the Hybrid split let through, when they do; the engine's history
        // records those changes only (a proposal still waiting changed nothing).
        var controller = new EngineController(simulated, startup, engine) { AppliesItsDecisions = false, Hpa = state?.Hpa };
        var cluster = new ReplayCluster(new ReplaySettings { StartupSeconds = startup, StartupSpread = 0 }, replicas, seed: 1);
        // The loop's cadence, whatever the report step: evaluated every step on a step shorter than the interval (1 s
        // against 5 s), the engine saw more samples than the loop's (another trend, another noise) and scaled earlier.
        var interval = TimeSpan.FromSeconds(policy.Spec.EvaluationIntervalSeconds);
        var steps = new List<WhatIfStep>();
        int changes = 0, applied = 0, max = replicas, min = replicas;
        var nextReport = from;
        var window = TimeSpan.FromSeconds(policy.Spec.Behavior.ScaleDown.StabilizationWindowSeconds);
        var heldAtStart = false;
        var (delay, delaySource) = ApprovalDelay(policy, approvalDelaySeconds);
        var approvals = new WhatIfApprovals(delay, TimeSpan.FromSeconds(policy.Spec.Approval?.ExpirySeconds ?? new ApprovalSpec().ExpirySeconds));
        var hybrid = new WhatIfHybridSplit(simulated.Spec, approvals);

        for (var t = from; t <= to; t += interval)
        {
            var seconds = (t - from).TotalSeconds;
            var readings = series.ToDictionary(s => s.Key, s => ReadingAt(s.Key, s.Value, t, step));
            foreach (var (query, failed) in unread)
            {
                readings[query] = failed;
            }

            var spec = cluster.SpecReplicas;
            var desired = controller.Decide(t, readings, spec, cluster.ReadyReplicas(seconds));
            var decision = controller.LastDecision!.Value;
            var act = hybrid.Step(t, spec, decision) ?? Act(approvals.Step(t, spec, decision), decision, spec);
            var (applyTo, said, shown) = (act.ApplyTo, act.Said, act.Shown);
            var changed = applyTo is { } now && now != spec;
            heldAtStart |= t < from + window && desired == startReplicas && decision.RawRecommendation < startReplicas;
            if (changed)
            {
                applied += act.Automatic;
                changes += act.Changes;
                cluster.Scale(applyTo!.Value, seconds);
                controller.Applied(t, spec, applyTo.Value);
                max = Math.Max(max, applyTo.Value);
                min = Math.Min(min, applyTo.Value);
            }

            if (t >= nextReport || changed || said is not null) // a change (or a proposal's news) between report steps still gets its row
            {
                nextReport = t + step;
                steps.Add(new WhatIfStep(
                    t,
                    decision.Evidence.Metrics.ToDictionary(m => m.Name, m => m.Value),
                    decision.Evidence.Metrics.ToDictionary(m => m.Name, m => m.Predicted),
                    spec,
                    shown.DesiredReplicas,
                    shown.Outcome,
                    shown.Reason,
                    said,
                    act.AutomaticTo));
            }
        }

        var note = heldAtStart
            ? $"the replay starts without history, so like a loop that has just started watching it holds {startReplicas} replicas for the scale-down window ({window.TotalSeconds:0}s) before scaling down; the running loop, watching already, may have scaled down sooner"
            : null;
        return new WhatIfResult(policy.Key, from, to, steps, new WhatIfSummary(changes, max, min, approvals.Made, applied, approvals.Approved, approvals.Expired),
            startReplicas, startedFrom, note, (int)delay.TotalSeconds, delaySource);
    }

    /// <summary>A decision the policy does not split: applied now, or asked and approved (<see cref="WhatIfApprovals"/>).</summary>
    private static WhatIfAct Act((int? ApplyTo, string? Said) step, Decision decision, int specReplicas)
    {
        var changed = step.ApplyTo is { } to && to != specReplicas;
        var automatic = changed && decision.Outcome == DecisionOutcome.ApplyNow ? 1 : 0;
        return new WhatIfAct(step.ApplyTo, step.Said, decision, changed ? 1 : 0, automatic);
    }

    private static (TimeSpan Delay, string Source) ApprovalDelay(ScalePolicy policy, int? requested) =>
        requested is { } seconds ? (TimeSpan.FromSeconds(seconds), "as asked")
        : policy.Spec.Approval?.Escalation is { } escalation ? (TimeSpan.FromSeconds(escalation.AfterSeconds), "the policy's escalation time (approval.escalation.afterSeconds)")
        : (DefaultApprovalDelay, "the default escalation time (the policy sets no escalation)");

    /// <summary>
    /// The workload's count at <paramref name="from"/>: the first change applied since then started from it; none → it
    /// is still today's. Every applied change counts, the parts of a partly approved proposal too, each at its apply
    /// (not at a later mark on its proposal, such as an undo's).
    /// </summary>
    private async Task<(int? Replicas, string Source)> ReplicasAtAsync(WorkloadRef target, WorkloadState? now, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var first = (await proposals.ListAsync(target.Namespace, cancellationToken))
            .Where(p => ProposalRules.TargetKey(ProposalFactory.TargetOf(p)) == ProposalRules.TargetKey(target))
            .SelectMany(AppliedChanges.Of)
            .Where(c => c.Time > from)
            .OrderBy(c => c.Time)
            .Select(c => (ScaleChange?)c)
            .FirstOrDefault();
        return first is { } c
            ? (c.From, $"applied proposal {c.Source?.Proposal} ({c.From} → {c.To})")
            : (now?.SpecReplicas, "the workload now (no change applied in the window)");
    }

    /// <summary>The latest point at or before <paramref name="t"/>, if it is no older than two steps (else the metric is missing).</summary>
    private static MetricReading ReadingAt(string query, IReadOnlyList<MetricPoint> points, DateTimeOffset t, TimeSpan step)
    {
        MetricPoint? latest = null;
        foreach (var point in points)
        {
            if (point.Time > t)
            {
                break;
            }

            latest = point;
        }

        return latest is { } p && t - p.Time <= step * 2
            ? MetricReading.Ok(query, p.Value, p.Time)
            : MetricReading.Failed(query, MetricStatus.Empty, "no sample in the range at this time");
    }
}
