using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// A proposal against the policy's latest decision. The decision a tap is checked against is the one on the policy's
/// status (<see cref="ScalePolicyStatus.DesiredReplicas"/> for <see cref="ScalePolicyStatus.CurrentReplicas"/>): the
/// leader writes it in the tick that decides it, and any replica reads it (at the tap from its watch cache, right
/// before the scale write from the API server), so a follower checks the same decision the leader acts on; there is no
/// second copy to drift. Only proposals the loop asked for are held to it; an automatic
/// step is applied in the tick that decided it, a pin or an undo is a person's order. A return to normal is held only
/// to a decision being there (<see cref="DecisionUnknown"/>): it is proposed on the demand over the quiet period, not
/// on the engine's desired count, which a swing or the scale-down window may hold at the running count meanwhile — held
/// to it, the way back would be withdrawn and proposed again every 30 s. The leader keeps it honest against the demand
/// instead (<see cref="ReturnToNormalRules.Comeback"/>: moved up or withdrawn when the traffic comes back); the tap cannot
/// check that itself, the status carries the engine's desired count (at or above the demand, held there by the window),
/// not the demand, and writing the demand would cost a status write per evaluation while the traffic moves (the loop
/// writes a status only when its decision changes), so a tap is bounded by the loop's next evaluation (and the card's
/// amend interval). A decision held at the running count (missing metrics, a freeze, the change budget, a cooldown:
/// <see cref="ScalePolicyStatus.HeldBy"/>) is no "not needed": the tap judges it by the count the hold kept back
/// (<see cref="NoLongerNeeded"/>, <see cref="HeldBack"/>), and the loop's withdrawal does not count it as "no change"
/// (<see cref="NoChangeSince"/>).
/// </summary>
public static partial class ProposalRules
{
    /// <summary>
    /// Why the latest decision cannot be trusted for <paramref name="proposal"/> (none recorded, or older than the loop
    /// ever leaves it); null when it can. Fail static: a scale nobody can confirm is not applied, and the proposal waits
    /// (the loop decides it when it runs again, or it expires).
    /// </summary>
    /// <param name="statusRefresh">The loop's status refresh period (it rewrites an unchanged status within twice that).</param>
    public static string? DecisionUnknown(ScaleProposal proposal, ScalePolicy policy, DateTimeOffset now, TimeSpan statusRefresh)
    {
        if (!AskedByTheLoop(proposal))
        {
            return null;
        }

        if (policy.Status is not { LastEvaluationTime: { } evaluated, DesiredReplicas: not null, CurrentReplicas: not null })
        {
            return "cannot confirm it is still needed: no decision of the policy is recorded (not evaluated, or its workload is missing); not applied";
        }

        // Dated further ahead than any clock skew the age allows (a status written by hand): it would never go stale.
        var maxAge = DecisionMaxAge(policy.Spec, statusRefresh);
        if (evaluated - now > maxAge)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"cannot confirm it is still needed: the policy's latest decision is dated {evaluated:yyyy-MM-dd HH:mm:ss} UTC, {(evaluated - now).TotalSeconds:0} s ahead of now (no control loop wrote it); not applied");
        }

        // A proposal made or amended after the status was written is itself the latest decision.
        var latest = evaluated > LastChange(proposal) ? evaluated : LastChange(proposal);
        var age = now - latest;
        return age > maxAge
            ? $"cannot confirm it is still needed: the policy's latest decision is from {Clock(latest)}, {age.TotalSeconds:0} s ago (the control loop has not evaluated it since); not applied"
            : null;
    }

    /// <summary>
    /// Why <paramref name="proposal"/> is no longer needed, so a tap withdraws it and the applier refuses it: the expected
    /// event it was raised for no longer asks for it (<see cref="EventNoLongerAsks"/>: cancelled since the loop last
    /// evaluated, which its status cannot say yet), a scale-down would leave less than an event's floor asks now
    /// (<see cref="BelowEventFloor"/>), the same two for schedules (<see cref="ScheduleNoLongerAsks"/>: removed, closed or
    /// lowered since; <see cref="BelowScheduleFloor"/>: added, opened or raised since), or the latest decision no longer
    /// supports it (<see cref="DecisionNoLongerAsks"/>). Null while it still is.
    /// </summary>
    public static string? NoLongerNeeded(ScaleProposal proposal, ScalePolicy policy, DateTimeOffset now) =>
        EventNoLongerAsks(proposal, policy.Spec, now) ?? BelowEventFloor(proposal, policy.Spec, now)
        ?? ScheduleNoLongerAsks(proposal, policy.Spec, now) ?? BelowScheduleFloor(proposal, policy.Spec, now)
        ?? DecisionNoLongerAsks(proposal, policy);

    /// <summary>
    /// What the latest decision asks instead when it no longer supports <paramref name="proposal"/>'s direction: a
    /// scale-up when it wants no more than the workload runs, a scale-down when it wants no fewer. A decision held at
    /// the running count (<see cref="ScalePolicyStatus.HeldBy"/>) is judged by what the hold kept it from, and one that
    /// holds back no count (fail static, a freeze) says nothing about the need (<see cref="HeldBack"/> says why the tap
    /// waits). Null while it still does, or when there is no newer decision than the proposal (see
    /// <see cref="DecisionUnknown"/> for a missing one).
    /// </summary>
    public static string? DecisionNoLongerAsks(ScaleProposal proposal, ScalePolicy policy)
    {
        if (!HeldToTheDecision(proposal)
            || policy.Status is not { LastEvaluationTime: { } evaluated, DesiredReplicas: { } desired, CurrentReplicas: { } running } status
            || evaluated < LastChange(proposal)
            || (status.HeldBy is not null && status.UnheldReplicas is null))
        {
            return null;
        }

        var up = proposal.Spec.ToReplicas > proposal.Spec.FromReplicas;
        var asked = status.HeldBy is null ? desired : status.UnheldReplicas!.Value;
        return (up ? asked > running : asked < running) ? null : Describe(up, asked, running, evaluated, status.HeldBy);
    }

    /// <summary>
    /// Why the latest decision, held at the running count, keeps <paramref name="proposal"/> waiting without withdrawing
    /// it; null when it is not held, or when its hold gives way to an approval. Missing or stale metrics (fail static)
    /// and a freeze never give way: nobody can tell whether the scale is still needed, or a person stopped the policy.
    /// The change budget, a cooldown and the readiness hold are the engine's brakes on its own automatic changes: an
    /// approver's "yes" to a scale-up the held decision still asks for is the person the brake waits for, so it applies
    /// (<see cref="NoLongerNeeded"/> withdraws one it no longer asks for); a scale-down waits for the hold to end,
    /// capacity is not given back on a person's word while the engine holds it. A return to normal is proposed on the
    /// demand, not on the engine's decision, so of the holds only missing metrics keep it waiting: with them nobody can
    /// tell whether the traffic came back since.
    /// </summary>
    public static string? HeldBack(ScaleProposal proposal, ScalePolicy policy)
    {
        if (!AskedByTheLoop(proposal)
            || policy.Status is not { LastEvaluationTime: { } evaluated, CurrentReplicas: { } running, HeldBy: { } by } status
            || evaluated < LastChange(proposal)
            || (ReturnToNormalRules.IsReturn(proposal) && by != Decision.HeldByFailStatic)
            || (status.UnheldReplicas is not null && proposal.Spec.ToReplicas > proposal.Spec.FromReplicas))
        {
            return null;
        }

        var at = Clock(evaluated);
        return by switch
        {
            Decision.HeldByFailStatic => $"cannot confirm it is still needed: the policy's metrics are missing or stale, so its latest decision holds at the running {running} (fail static, evaluated {at}); not applied",
            "freeze" => $"the policy is frozen: its latest decision holds at the running {running} (evaluated {at}); not applied",
            _ when status.UnheldReplicas is null => $"cannot confirm it is still needed: its latest decision holds at the running {running} ({by}, evaluated {at}); not applied",
            _ => $"the latest decision holds the scale-down at the running {running} ({by}, evaluated {at}), replicas are given back when the hold ends; not applied",
        };
    }

    /// <summary>
    /// Why <paramref name="proposal"/> waits instead of being applied, though its latest decision does not withdraw it:
    /// that decision is unknown (<see cref="DecisionUnknown"/>) or held (<see cref="HeldBack"/>). Null when it may go on.
    /// </summary>
    public static string? Undecided(ScaleProposal proposal, ScalePolicy policy, DateTimeOffset now, TimeSpan statusRefresh) =>
        DecisionUnknown(proposal, policy, now, statusRefresh) ?? HeldBack(proposal, policy);

    /// <summary>
    /// How old the status's decision may be: the loop rewrites an unchanged status at the first evaluation after the
    /// refresh period (spread per policy up to twice that), so one refresh period and two evaluation intervals of slack
    /// (a write conflict is retried the next tick) — past that the loop is not evaluating the policy.
    /// </summary>
    public static TimeSpan DecisionMaxAge(ScalePolicySpec spec, TimeSpan statusRefresh) =>
        (3 * statusRefresh) + TimeSpan.FromSeconds(2 * Math.Max(1, spec.EvaluationIntervalSeconds));

    /// <summary>Since when the decisions have said "no change" without a break: carried on, now when it starts, null on any other outcome.</summary>
    public static DateTimeOffset? NoChangeSince(DateTimeOffset? since, in Decision decision, DateTimeOffset now) =>
        decision.Outcome == DecisionOutcome.None ? since ?? now : null;

    /// <summary>
    /// Why the loop withdraws <paramref name="pending"/>: its decisions have said "no change" for as long as the engine
    /// needs to believe a move the other way — the scale-down stabilization window for a pending scale-up (withdrawing
    /// it gives back capacity asked for, on the evidence the engine wants before it gives back replicas), the scale-up
    /// window for a pending scale-down — and at least <see cref="AmendInterval"/>, so one noisy evaluation never closes a
    /// card. Null while it stands.
    /// </summary>
    public static string? Withdrawal(ScalePolicy policy, ScaleProposal pending, in Decision decision, DateTimeOffset? noChangeSince, DateTimeOffset now)
    {
        if (pending.Status.Phase != ProposalPhase.Pending || !HeldToTheDecision(pending)
            || decision.Outcome != DecisionOutcome.None || noChangeSince is not { } since)
        {
            return null;
        }

        var up = pending.Spec.ToReplicas > pending.Spec.FromReplicas;
        var behavior = policy.Spec.Behavior;
        var window = TimeSpan.FromSeconds((up ? behavior.ScaleDown : behavior.ScaleUp).StabilizationWindowSeconds);
        var steady = window > AmendInterval ? window : AmendInterval;
        var from = since > LastChange(pending) ? since : LastChange(pending);
        return now - from >= steady
            ? $"{Describe(up, decision.DesiredReplicas, decision.CurrentReplicas, now)}, steadily since {Clock(from)}"
            : null;
    }

    /// <summary>
    /// A proposal the loop put to the approvers (labelled so by <see cref="ProposalFactory.FromDecision"/>): not an
    /// automatic step, an order, or a proposal written by hand (no action label), which is no decision of the loop's to
    /// re-check — its approvers decide it as written, under every other re-check.
    /// </summary>
    private static bool AskedByTheLoop(ScaleProposal proposal) => LabelledAs(proposal, ProposalFactory.Action.Approval);

    /// <summary>
    /// Whether the proposal's action label names one of <paramref name="actions"/>. Read as written, not through
    /// <see cref="ProposalFactory.ActionOf"/>, which takes a missing label (a proposal written by hand) for Approval.
    /// </summary>
    private static bool LabelledAs(ScaleProposal proposal, params ProposalFactory.Action[] actions) =>
        proposal.Metadata.Labels?.GetValueOrDefault(ProposalFactory.ActionLabel) is { } label
        && actions.Any(a => string.Equals(label, a.ToString(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Asked by the loop on the engine's desired count: not a return to normal (see the class summary).</summary>
    private static bool HeldToTheDecision(ScaleProposal proposal) => AskedByTheLoop(proposal) && !ReturnToNormalRules.IsReturn(proposal);

    private static string Describe(bool up, int desired, int running, DateTimeOffset evaluated, string? heldBy = null) =>
        $"the latest decision wants no scale-{(up ? "up" : "down")}: {(heldBy is null ? "desired" : $"without the {heldBy} hold")} {desired} {(desired == running ? "=" : desired < running ? "<" : ">")} running {running} (evaluated {Clock(evaluated)})";

    private static string Clock(DateTimeOffset at) => at.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
}
