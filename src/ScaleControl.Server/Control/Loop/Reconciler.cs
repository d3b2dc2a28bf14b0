using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;
using ScaleControl.Kubernetes.Leadership;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// One control-loop tick: maintain open proposals (escalate, expire, finish), take Undo off applied changes the workload
/// moved on from, and bring their cards up to date (and report a rejection ScaleControl did not record), withdraw the pending ones no policy governs any more, then for every
/// policy that is due,
/// sample (one query per distinct expression across all due policies), decide and act; last, start a retention pass
/// over finished proposals when one is due.
/// </summary>
public sealed class Reconciler(
    IPolicyStore policies,
    IMetricSource metrics,
    PolicyEvaluator evaluator,
    HistoryBackfill backfill,
    AppliedChangeSync appliedChanges,
    ProposalService proposals,
    ProposalWithdrawals withdrawals,
    UngovernedProposals ungoverned,
    CardReconciler cards,
    UnverifiedRejections unverifiedRejections,
    AutoStepNotices autoSteps,
    UndoOffers undoOffers,
    ObservedDecisions observed,
    ProposalRetention retention,
    PolicyRuntimes runtimes,
    FaultNotices faults,
    ConfirmationExpiry confirmationExpiry,
    HoldPoints holdPoints,
    PolicyValidity validity,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ScaleControlMetrics telemetry,
    ILogger<Reconciler> logger)
{
    public DateTimeOffset? LastTick { get; private set; }

    /// <summary>One tick; what it saw of the Kubernetes API (a failed tick, a policy whose evaluation failed) feeds the fault notice.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        string? problem;
        try
        {
            problem = await TickOnceAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not LeadershipLostException && !cancellationToken.IsCancellationRequested)
        {
            await faults.ObserveAsync(FaultNotices.Kubernetes, ex.Message, cancellationToken);
            throw;
        }

        await faults.ObserveAsync(FaultNotices.Kubernetes, problem, cancellationToken);
        await faults.RestateAsync(FaultNotices.DingTalk, cancellationToken);
    }

    /// <returns>The first evaluation failure of the tick, or null.</returns>
    private async Task<string?> TickOnceAsync(CancellationToken cancellationToken)
    {
        string? failure = null;
        var all = await policies.ListAsync(null, cancellationToken);
        var byKey = all.ToDictionary(p => p.Key, StringComparer.Ordinal);
        runtimes.Retain(all);
        validity.Retain(byKey);
        await proposals.MaintainAsync(byKey, cancellationToken);
        await undoOffers.SweepAsync(cancellationToken); // before the cards: a withdrawn Undo is shown in the same tick
        await cards.ReconcileAsync(byKey, cancellationToken);
        await unverifiedRejections.ReportAsync(cancellationToken);
        await autoSteps.FlushAsync(cancellationToken);
        await confirmationExpiry.SweepAsync(all, cancellationToken);
        var board = await proposals.BoardAsync(cancellationToken);
        var held = TargetOwnership.Held(all);
        // Before any policy acts: a proposal its policy left must not be amended or superseded by the workload's new owner.
        await ungoverned.WithdrawAsync(board, byKey, held, cancellationToken);

        var now = time.GetUtcNow();
        // Half a tick of slack: a timer waking a hair early must not push a 5 s policy to the next tick (every 6 s).
        var horizon = now + (TimeSpan.FromSeconds(options.Value.TickSeconds) / 2);
        // Leaders first: a follower sizes from its leader's decision of this same tick (a call chain in one decision).
        var due = FollowGraph.LeadersFirst(all).Where(p => IsDue(runtimes.For(p.Metadata.Namespace, p.Metadata.Name), p, horizon)).ToList();
        await HoldInvalidAsync(due, cancellationToken);
        await HoldConflictingAsync(due, held, cancellationToken);
        await backfill.FillAsync(due, board.Listed, now, cancellationToken); // before the tick's readings: the past goes in first
        appliedChanges.Learn(board.Listed, byKey, now); // changes other replicas applied, before anything is decided
        var tick = new LeaderReadings.Tick(all);
        var queries = due.SelectMany(PolicyEvaluator.Queries).Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyDictionary<string, MetricReading> readings = queries.Count == 0
            ? new Dictionary<string, MetricReading>()
            : await metrics.QueryAsync(queries, cancellationToken);
        if (queries.Count > 0)
        {
            await faults.ObserveAsync(FaultNotices.Prometheus, SourceProblem(readings), cancellationToken);
        }

        foreach (var policy in due)
        {
            var runtime = runtimes.For(policy.Metadata.Namespace, policy.Metadata.Name);
            runtime.NextDue = now.AddSeconds(Math.Max(1, policy.Spec.EvaluationIntervalSeconds));
            runtime.ScheduledIntervalSeconds = policy.Spec.EvaluationIntervalSeconds;
            try
            {
                await EvaluateAndActAsync(policy, readings, tick, board, cancellationToken);
                if (runtime.LastFailure is not null)
                {
                    runtime.LastFailure = null;
                    logger.EvaluationRecovered(policy.Metadata.Namespace, policy.Metadata.Name);
                }
            }
            catch (Exception ex) when (ex is not LeadershipLostException && !cancellationToken.IsCancellationRequested)
            {
                // Once per cause, not every tick: a cache RBAC will not let list fails every evaluation of its kind.
                if (runtime.LastFailure != ex.Message)
                {
                    runtime.LastFailure = ex.Message;
                    logger.EvaluationFailed(ex, policy.Metadata.Namespace, policy.Metadata.Name);
                    await SayEvaluationFailedAsync(policy, ex.Message, cancellationToken);
                }

                failure ??= $"evaluating {policy.Key}: {ex.Message}";
            }
        }

        // One card update per card per tick, however many of its rows were amended.
        await proposals.RefreshCardsAsync(board.CardsToRefresh, cancellationToken);

        // Not awaited: a long pass (a backlog of deletes) must not hold up the next tick's decisions.
        _ = retention.PruneIfDueAsync(cancellationToken);

        LastTick = now;
        telemetry.LastTick.Record(now.ToUnixTimeMilliseconds() / 1000.0);
        return failure;
    }

    /// <summary>
    /// Takes the policies that are not valid out of <paramref name="due"/> (<see cref="PolicyValidity"/>): nothing of
    /// theirs is queried, decided or applied, and their status says why. Their memory is dropped, so neither /status
    /// nor a follower reads a decision made before the spec went bad.
    /// </summary>
    private async Task HoldInvalidAsync(List<ScalePolicy> due, CancellationToken cancellationToken)
    {
        for (var i = due.Count - 1; i >= 0; i--)
        {
            if (validity.ProblemOf(due[i]) is { } problem)
            {
                var policy = due[i];
                due.RemoveAt(i);
                runtimes.Forget(policy.Metadata.Namespace, policy.Metadata.Name);
                await WriteStatusAsync(policy, null, problem, cancellationToken, PolicyValidity.ConditionType);
            }
        }
    }

    /// <summary>
    /// Takes out of <paramref name="due"/> every policy whose workload an older policy controls (<see cref="TargetOwnership"/>):
    /// one workload, one controller. Nothing of theirs is decided or applied, their memory is dropped, and their status
    /// names the policy that owns the workload. Deleting the owner hands the workload to the next oldest.
    /// </summary>
    private async Task HoldConflictingAsync(List<ScalePolicy> due, IReadOnlyDictionary<string, ScalePolicy> held, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return;
        }

        for (var i = due.Count - 1; i >= 0; i--)
        {
            if (held.TryGetValue(due[i].Key, out var owner))
            {
                var policy = due[i];
                due.RemoveAt(i);
                runtimes.Forget(policy.Metadata.Namespace, policy.Metadata.Name);
                await WriteStatusAsync(policy, null, TargetOwnership.Problem(policy, owner), cancellationToken, TargetOwnership.ConditionType);
            }
        }
    }

    /// <summary>
    /// The policy's status says why it is not evaluated (e.g. its workload kind's cache refused by RBAC), where
    /// <c>kubectl get scalepolicy</c> shows it; with the API itself down this write fails too, and the fault notice speaks.
    /// </summary>
    private async Task SayEvaluationFailedAsync(ScalePolicy policy, string problem, CancellationToken cancellationToken)
    {
        try
        {
            await WriteStatusAsync(policy, null, $"evaluation failed: {problem}", cancellationToken, "EvaluationFailed");
        }
        catch (Exception ex) when (ex is not LeadershipLostException && !cancellationToken.IsCancellationRequested)
        {
            // Logged with the failure itself just above.
        }
    }

    /// <summary>The metrics source failed (unreachable, 5xx, timeouts) — not a query that found no series or is wrong.</summary>
    private static string? SourceProblem(IReadOnlyDictionary<string, MetricReading> readings)
    {
        var failed = readings.Values.Where(r => r.Status == MetricStatus.Unavailable).ToList();
        return failed.Count == 0 ? null : $"{failed.Count} of {readings.Count} queries failed: {failed[0].Problem}";
    }

    private async Task EvaluateAndActAsync(
        ScalePolicy policy, IReadOnlyDictionary<string, MetricReading> readings, LeaderReadings.Tick tick, ProposalBoard board, CancellationToken cancellationToken)
    {
        var runtime = runtimes.For(policy.Metadata.Namespace, policy.Metadata.Name);
        // With what the leading signal learned and could not write yet: sized by it, and its event not judged twice.
        var known = LeadingSignalLearning.WithUnwritten(policy, runtime.UnwrittenLearning);
        var evaluation = await evaluator.EvaluateAsync(known, readings, tick, commit: true, cancellationToken);
        if (evaluation is not { Workload: { } workload, Decision: { } decision })
        {
            if (policy.Status?.Conditions.Any(c => c.Type == "WorkloadMissing") != true)
            {
                logger.WorkloadMissing(policy.Spec.Target.Name, policy.Metadata.Namespace, policy.Metadata.Name); // once, not every evaluation
            }

            await WriteStatusAsync(policy, null, evaluation.Problem, cancellationToken);
            return;
        }

        if (await EditedSinceTheTickReadItAsync(policy, cancellationToken))
        {
            // A freeze, pin or spec edit written while this tick read metrics (seconds, with a slow Prometheus): acting on
            // the spec read before it would post the card of a policy just frozen. The next tick decides on the new spec.
            runtime.NextDue = time.GetUtcNow();
            return;
        }

        if (ObserveMode.Observes(policy.Spec))
        {
            // Decided as Auto, acted on never: shown and compared. Its pending proposals were withdrawn at the tick's start.
            var observedSaid = await observed.RecordAsync(policy, runtime, decision, workload, cancellationToken);
            runtime.Say(observedSaid);
            await WriteStatusAsync(policy, observedSaid is null ? decision : decision with { Reason = $"{decision.Reason}; {observedSaid}" }, null, cancellationToken);
            return;
        }

        runtime.Observation = null; // switched from Observe: acts from this tick, and the status drops the record
        var targetKey = ProposalRules.TargetKey(ProposalFactory.TargetOf(policy));
        var open = board.Open.GetValueOrDefault(targetKey);
        // A person's pending pin or undo request waits for its approvers; the loop neither supersedes nor races it.
        var pinRequested = open is not null && ProposalFactory.ActionOf(open) is ProposalFactory.Action.Pin or ProposalFactory.Action.Undo;
        if (!pinRequested && decision.Outcome is DecisionOutcome.ApplyNow or DecisionOutcome.Propose)
        {
            await holdPoints.ReachedAsync(HoldPoints.TickActing, cancellationToken);
        }

        // A hot event is remembered by the workload's latest change; its quiet clock runs on every evaluation.
        var hotEvent = ReturnToNormalRules.QuietPeriod(policy.Spec) is null ? null : ReturnToNormalRules.EventOf(board.LastApplied(targetKey), workload.SpecReplicas);
        runtime.QuietSince = hotEvent is null ? null : ReturnToNormalRules.QuietSince(runtime.QuietSince, decision, hotEvent.PreEventReplicas, time.GetUtcNow());
        runtime.NoChangeSince = ProposalRules.NoChangeSince(runtime.NoChangeSince, decision, time.GetUtcNow());

        var (acted, said) = pinRequested ? (null, null)
            : ProposalRules.PinNotHeld(policy.Spec, workload.SpecReplicas, time.GetUtcNow()) is { } drift ? (null, drift)
            : hotEvent is not null && decision.Direction != ScaleDirection.Up
              && await ReturnToNormalAsync(policy, decision, workload, open, hotEvent, runtime.QuietSince, board, targetKey, cancellationToken) is { } back ? back
            : await ActAsync(policy, decision, workload, open, board, targetKey, runtime.NoChangeSince, cancellationToken);
        runtime.Say(said);
        if (acted is not null)
        {
            // Keep the tick's view current in case another policy names the same target.
            board.Applied(targetKey, acted);
            if (acted.Status.Phase.IsOpen())
            {
                board.Open[targetKey] = acted;
            }
            else
            {
                board.Open.Remove(targetKey);
            }

            logger.DecisionMade(policy.Metadata.Namespace, policy.Metadata.Name, decision.Outcome, decision.CurrentReplicas, decision.DesiredReplicas, decision.Reason);
        }

        await WriteStatusAsync(policy, said is null ? decision : decision with { Reason = $"{decision.Reason}; {said}" }, null, cancellationToken);
    }

    /// <summary>The spec in the cache now is not the one the tick listed (a spec write moves the generation; status writes do not).</summary>
    private async Task<bool> EditedSinceTheTickReadItAsync(ScalePolicy policy, CancellationToken cancellationToken) =>
        await policies.GetAsync(policy.Metadata.Namespace, policy.Metadata.Name, cancellationToken) is not { } current
        || current.Metadata.Generation != policy.Metadata.Generation;

    /// <summary>
    /// The way back during a hot event (<see cref="ReturnToNormalRules"/>): no step-by-step scale-down while it waits,
    /// one return-to-normal proposal when the demand has fit the pre-event count for the quiet period, amended in place
    /// (never re-posted) while it waits for approval, moved up or withdrawn when the traffic comes back. Null when the
    /// rule has nothing to say: the ordinary path decides.
    /// </summary>
    private async Task<(ScaleProposal? Acted, string? Said)?> ReturnToNormalAsync(
        ScalePolicy policy, Decision decision, WorkloadState workload, ScaleProposal? open, HotEvent hotEvent, DateTimeOffset? quietSince,
        ProposalBoard board, string targetKey, CancellationToken cancellationToken)
    {
        var pending = open?.Status.Phase == ProposalPhase.Pending ? open : null;
        if ((open is not null && pending is null) || (pending is not null && !ReturnToNormalRules.IsReturn(pending) && pending.Spec.ToReplicas > pending.Spec.FromReplicas))
        {
            return null; // an approved change on its way, or a scale-up waiting: not the way back
        }

        var now = time.GetUtcNow();
        if (pending is not null && ReturnToNormalRules.Comeback(policy, pending, decision, workload, now) is { } comeback)
        {
            return (await CorrectReturnAsync(pending, comeback, decision, workload, board, cancellationToken), null);
        }

        if (ReturnToNormalRules.Check(policy, hotEvent, quietSince, workload, board.LastReturn(targetKey), board.Refused(targetKey), now) is not { } verdict)
        {
            return null;
        }

        if (pending is not null && ReturnToNormalRules.IsReturn(pending))
        {
            // One proposal: it waits on its card; only a moved target (the bounds changed) amends it.
            if (verdict.Target is not { } moved || moved == pending.Spec.ToReplicas || pending.Spec.FromReplicas != workload.SpecReplicas
                || now - ProposalRules.LastChange(pending) < ProposalRules.AmendInterval)
            {
                return (null, null);
            }

            var amended = await proposals.AmendAsync(pending, ReturnToNormalRules.DecisionFor(decision, workload, moved, verdict.Said), cancellationToken);
            if (amended is not null)
            {
                board.RefreshCard(amended);
            }

            return (amended, null);
        }

        return verdict.Target is { } target
            ? (await proposals.ProposeReturnAsync(policy, ReturnToNormalRules.DecisionFor(decision, workload, target, verdict.Said), workload, hotEvent, pending, cancellationToken), null)
            : pending is null ? (null, verdict.Said) : null;
    }

    /// <summary>
    /// A pending return to normal the demand came back over (<see cref="ReturnToNormalRules.Comeback"/>): amended up in
    /// place, or withdrawn, with the reason; its card is updated at the end of the tick. Null when it was no longer pending.
    /// </summary>
    private async Task<ScaleProposal?> CorrectReturnAsync(
        ScaleProposal pending, ReturnComeback comeback, Decision decision, WorkloadState workload, ProposalBoard board, CancellationToken cancellationToken)
    {
        var corrected = comeback.AmendTo is { } to
            ? await proposals.AmendAsync(pending, ReturnToNormalRules.DecisionFor(decision, workload, to, comeback.Why), cancellationToken)
            : await withdrawals.WithdrawAsync(pending, comeback.Why, "by the control loop", cancellationToken);
        if (corrected is not null)
        {
            board.RefreshCard(corrected);
        }

        return corrected;
    }

    /// <summary>
    /// What the loop does with a decision: a Hybrid step is split (the allowance now, the rest proposed); a pending
    /// proposal asking the same question is amended in place; a question a person just refused is not asked again
    /// (the hold is returned as what to say instead).
    /// </summary>
    private async Task<(ScaleProposal? Acted, string? Said)> ActAsync(
        ScalePolicy policy, Decision decision, WorkloadState workload, ScaleProposal? open, ProposalBoard board, string targetKey, DateTimeOffset? noChangeSince,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pending = open?.Status.Phase == ProposalPhase.Pending ? open : null;
        var preEvent = ReturnToNormalRules.PreEventFor(board.LastApplied(targetKey), workload.SpecReplicas);
        // Split also while a question waits: that question is often the remainder of the last split, and the same step
        // decided again must not be applied automatically past the allowance it was asked for.
        if ((open is null || pending is not null) && HybridAllowance.Split(policy.Spec, decision, board.Automatic(targetKey), now) is { } split)
        {
            ScaleProposal? applied = null;
            if (split.AutomaticTo != workload.SpecReplicas)
            {
                applied = await proposals.ApplyAutomaticallyAsync(
                    policy, decision with { DesiredReplicas = split.AutomaticTo, Outcome = DecisionOutcome.ApplyNow }, workload, pending, cancellationToken, preEvent);
                board.AddAutomatic(targetKey, new ScaleChange(now, workload.SpecReplicas, split.AutomaticTo));
                if (applied.Status.Phase != ProposalPhase.Applied)
                {
                    return (applied, null);
                }

                open = pending = null; // superseded by the automatic change
            }

            if (split.Rest is not { } rest)
            {
                return (applied, null);
            }

            decision = rest;
            workload = workload with { SpecReplicas = rest.CurrentReplicas };
        }

        switch (decision.Outcome)
        {
            case DecisionOutcome.ApplyNow when decision.DesiredReplicas != workload.SpecReplicas && (open is null || pending is not null):
                return (await proposals.ApplyAutomaticallyAsync(policy, decision, workload, open, cancellationToken, preEvent), null);
            case DecisionOutcome.Propose when pending is not null && ProposalRules.Differs(policy, pending, decision, workload):
                if (pending.Spec.FromReplicas == workload.SpecReplicas && ProposalRules.CanAmend(pending, decision))
                {
                    if (ProposalRules.AmendmentWaits(policy, pending, decision, now))
                    {
                        return (null, null);
                    }

                    // The need went back within what a person refused (a rejection or an undo holds): withdrawn, as no
                    // new proposal would be made for it. Live, a card asked again for the very 2 → 5 someone had undone.
                    if (board.Hold(targetKey, policy, decision, now) is { } refusal)
                    {
                        var withdrawn = await withdrawals.WithdrawAsync(pending, refusal.Describe(), "by the control loop", cancellationToken);
                        if (withdrawn is not null)
                        {
                            board.RefreshCard(withdrawn);
                        }

                        return (withdrawn, refusal.Describe());
                    }

                    if (await proposals.AmendAsync(pending, decision, cancellationToken) is { } amended)
                    {
                        board.RefreshCard(amended);
                        return (amended, null);
                    }
                }

                return (await proposals.ProposeAsync(policy, decision, workload, pending, cancellationToken, preEvent), null);
            case DecisionOutcome.Propose when open is null:
                return board.Hold(targetKey, policy, decision, now) is { } hold
                    ? (null, hold.Describe())
                    : (await proposals.ProposeAsync(policy, decision, workload, null, cancellationToken, preEvent), null);
            case DecisionOutcome.None when pending is not null:
                return (await WithdrawAsync(policy, pending, decision, noChangeSince, board, cancellationToken), null);
            default:
                return (null, null);
        }
    }

    /// <summary>
    /// Withdraws <paramref name="pending"/> once its decisions have said "no change" steadily (<see cref="ProposalRules.Withdrawal"/>);
    /// its card is updated at the end of the tick. Null when it stands.
    /// </summary>
    private async Task<ScaleProposal?> WithdrawAsync(
        ScalePolicy policy, ScaleProposal pending, Decision decision, DateTimeOffset? noChangeSince, ProposalBoard board, CancellationToken cancellationToken)
    {
        if (ProposalRules.Withdrawal(policy, pending, decision, noChangeSince, time.GetUtcNow()) is not { } why
            || await withdrawals.WithdrawAsync(pending, why, "by the control loop", cancellationToken) is not { } withdrawn)
        {
            return null;
        }

        board.RefreshCard(withdrawn);
        return withdrawn;
    }

    /// <summary>Due by its schedule, or now when its interval changed since it was scheduled (3600 fixed to 5 must not sleep an hour).</summary>
    private static bool IsDue(PolicyRuntime runtime, ScalePolicy policy, DateTimeOffset horizon) =>
        runtime.NextDue <= horizon || runtime.ScheduledIntervalSeconds != policy.Spec.EvaluationIntervalSeconds;

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
    /// Writes the status subresource when the replicas or the problem change, and otherwise refreshes it once every
    /// <see cref="ControlLoopOptions.StatusRefreshSeconds"/> (spread per policy up to twice that): the reason carries live metric values, so writing it on
    /// every evaluation would cost 1,000 policies at 5 s 200 writes a second and starve the client's rate limit.
    /// The live view (<c>/api/v1/status</c>, the dashboard) comes from memory, not from this status. What the leading
    /// signal learned is written at once: it must outlive this leader. When that write fails or meets a conflict, the
    /// lesson is kept in memory and written by the next status write (<see cref="PolicyRuntime.UnwrittenLearning"/>):
    /// the event is judged once, and its traffic may be gone by the next evaluation.
    /// </summary>
    private async Task WriteStatusAsync(ScalePolicy policy, Decision? decision, string? problem, CancellationToken cancellationToken, string problemType = "WorkloadMissing")
    {
        var status = policy.Status ?? new ScalePolicyStatus();
        var runtime = runtimes.Find(policy.Metadata.Namespace, policy.Metadata.Name);
        // A judged event, or the conversion changed; on top of a lesson not written yet.
        var learned = LeadingSignalLearning.Next(LeadingSignalLearning.WithUnwritten(policy, runtime?.UnwrittenLearning), decision?.SignalJudged);
        var observation = runtime?.Observation;
        var sameState = status.CurrentReplicas == decision?.CurrentReplicas
            && SameObservation(status.Observation, observation)
            && Equals(status.LeadingSignal, learned)
            && status.DesiredReplicas == decision?.DesiredReplicas
            && status.HeldBy == decision?.HeldBy
            && SameSide(status.UnheldReplicas, decision?.UnheldReplicas, decision?.CurrentReplicas)
            && status.Conditions.Count == (problem is null ? 0 : 1)
            && (problem is null || (status.LastReason == problem && status.Conditions[0].Type == problemType));
        var recent = status.LastEvaluationTime is { } written
            && time.GetUtcNow() - written < RefreshAfter(policy.Key);
        if (sameState && recent)
        {
            return; // the reason line is not even formatted
        }

        // Written even when the reason reads the same: the time is the loop's heartbeat, which a tap checks the decision's
        // age by (ProposalRules.DecisionUnknown).
        var reason = decision?.Reason ?? problem;
        var now = time.GetUtcNow();
        Condition[] conditions = problem is null ? [] : [new Condition { Type = problemType, Reason = problemType switch { "WorkloadMissing" => "NotFound", "EvaluationFailed" => "Error", TargetOwnership.ConditionType => TargetOwnership.ConditionReason, _ => "ValidationFailed" }, Message = problem, LastTransitionTime = now }];
        if (runtime is not null)
        {
            runtime.UnwrittenLearning = Equals(status.LeadingSignal, learned) ? null : learned; // until this write is seen to keep it
        }

        try
        {
            await policies.UpdateStatusAsync(policy with
            {
                Status = status with
                {
                    LastEvaluationTime = now,
                    CurrentReplicas = decision?.CurrentReplicas,
                    DesiredReplicas = decision?.DesiredReplicas,
                    HeldBy = decision?.HeldBy,
                    UnheldReplicas = decision?.UnheldReplicas,
                    LastReason = reason,
                    Conditions = conditions,
                    LeadingSignal = learned,
                    Observation = observation,
                },
            }, cancellationToken);
            runtime?.UnwrittenLearning = null;
        }
        catch (ConcurrencyConflictException)
        {
            // The policy changed under us; the next tick writes the status against the new version.
        }
    }

    /// <summary>
    /// An observation is written when it starts or ends and when a change is counted; its sums, which grow every
    /// evaluation, wait for the status's refresh.
    /// </summary>
    private static bool SameObservation(ObservationStatus? written, ObservationStatus? now) =>
        (written is null) == (now is null)
        && (now is null || (written!.Since == now.Since && written.WouldChanges == now.WouldChanges && written.WorkloadChanges == now.WorkloadChanges));

    /// <summary>
    /// Whether the count a hold kept back is on the same side of the running count as written: what a tap reads of it.
    /// The count itself moves with every reading while a hold lasts; it waits for the refresh, not a write per evaluation.
    /// </summary>
    private static bool SameSide(int? written, int? unheld, int? running) =>
        (written is null) == (unheld is null) && Math.Sign((written ?? 0) - (running ?? 0)) == Math.Sign((unheld ?? 0) - (running ?? 0));
}
