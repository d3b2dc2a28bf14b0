using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// The rules a proposal is held to after it was made: whether it still stands against a newer decision, and whether
/// the change still holds when it is applied. The engine reads freeze and pin through the same functions, so what
/// the loop decides and what the applier re-checks cannot drift apart.
/// </summary>
public static partial class ProposalRules
{
    /// <summary>One key per workload: at most one proposal is open per key.</summary>
    public static string TargetKey(WorkloadRef target) => $"{target.Namespace}/{target.Kind}/{target.Name}";

    /// <summary>The freeze in force at <paramref name="now"/>, if any.</summary>
    public static FreezeSpec? ActiveFreeze(ScalePolicySpec spec, DateTimeOffset now) =>
        spec.Freeze is { } freeze && freeze.Until > now ? freeze : null;

    /// <summary>The pin in force at <paramref name="now"/>, if any.</summary>
    public static PinSpec? ActivePin(ScalePolicySpec spec, DateTimeOffset now) =>
        spec.Pin is { } pin && pin.Until > now ? pin : null;

    /// <summary>
    /// The freeze or pin in force at <paramref name="now"/> that no change but a pin may go past, as the reason a change
    /// waits; null when none is.
    /// </summary>
    public static string? OverrideInForce(ScalePolicySpec spec, DateTimeOffset now) =>
        ActiveFreeze(spec, now) is { } freeze ? $"policy is frozen until {freeze.Until:u} ({freeze.Reason})"
        : ActivePin(spec, now) is { } pin ? $"replicas are pinned at {pin.Replicas} until {pin.Until:u}"
        : null;

    /// <summary>
    /// Why the loop leaves a pin in force that the workload does not run (scaled outside ScaleControl, the pin's own
    /// scale failed, or a pin written into the spec with kubectl); null when no pin is in force or the workload runs it.
    /// A pin is applied by the override that made it, through its approval rules; the loop cannot tell who wrote the
    /// spec, and the applier would refuse each try — a Failed proposal and a notice on every evaluation until the pin
    /// ends. The text says what to do instead.
    /// </summary>
    public static string? PinNotHeld(ScalePolicySpec spec, int specReplicas, DateTimeOffset now) =>
        ActivePin(spec, now) is { } pin && pin.Replicas != specReplicas
            ? $"the workload runs {specReplicas}, not the pinned {pin.Replicas} (changed outside ScaleControl, or the pin's scale failed): pin again to restore it, or unpin"
            : null;

    /// <summary>A pending proposal stands while it still starts where the workload is and asks for about the same (the tolerance rule).</summary>
    public static bool Differs(ScalePolicy policy, ScaleProposal open, Decision decision, WorkloadState workload) =>
        open.Spec.FromReplicas != workload.SpecReplicas || ProposalLifecycle.ShouldSupersede(open, decision, policy.Spec.Tolerance);

    /// <summary>
    /// A pending proposal's target is amended at most this often: while traffic ramps, the card's numbers move in
    /// steps people can read (a group card of three rows stays within a few updates a minute).
    /// </summary>
    public static readonly TimeSpan AmendInterval = TimeSpan.FromSeconds(30);

    /// <summary>Whether <paramref name="newer"/> asks the same question as the pending proposal (same start, same direction), so it amends rather than supersedes.</summary>
    public static bool CanAmend(ScaleProposal pending, Decision newer) =>
        pending.Status.Phase == ProposalPhase.Pending
        && newer.CurrentReplicas == pending.Spec.FromReplicas
        && newer.Direction == (pending.Spec.ToReplicas > pending.Spec.FromReplicas ? ScaleDirection.Up : ScaleDirection.Down);

    /// <summary>
    /// Whether amending <paramref name="pending"/> to <paramref name="newer"/> waits: every amendment waits
    /// <see cref="AmendInterval"/> since the last change, and one that lowers a scale-up's target waits the policy's
    /// scale-down stabilization window (the evidence the engine wants before it gives back replicas). Live: a card asked
    /// 6, 5, 6, 5 within three minutes as the headroom moved with the noise; now it asks 6 until the lower need has held.
    /// </summary>
    public static bool AmendmentWaits(ScalePolicy policy, ScaleProposal pending, in Decision newer, DateTimeOffset now)
    {
        // A target the bounds no longer allow (maxReplicas lowered in a storm) can never be applied, and a tap of it is
        // refused: the card asks within them at once rather than wait out the windows, even the stabilization window.
        if (OutsideBounds(policy.Spec, pending.Spec.ToReplicas) is not null)
        {
            return false;
        }

        var since = now - LastChange(pending);
        var lowersAScaleUp = pending.Spec.ToReplicas > pending.Spec.FromReplicas && newer.DesiredReplicas < pending.Spec.ToReplicas;
        var window = TimeSpan.FromSeconds(policy.Spec.Behavior.ScaleDown.StabilizationWindowSeconds);
        return since < AmendInterval || (lowersAScaleUp && since < window);
    }

    /// <summary>When the proposal last changed its target (its last amendment, else its creation).</summary>
    public static DateTimeOffset LastChange(ScaleProposal proposal) =>
        proposal.Status.Amendments.Count > 0 ? proposal.Status.Amendments[^1].At : ProposalFactory.CreatedAt(proposal);

    /// <summary>
    /// Why <paramref name="policy"/> no longer governs the workload <paramref name="proposal"/> would scale: its target
    /// was changed, or it was deleted and made again (same name) for another workload, while the proposal waited. The
    /// policy's roster, bounds and decisions are then another workload's, so none of them vouches for this scale, and the
    /// loop, which looks at the policy's target only, would leave the proposal open until it expires. Null while it does.
    /// </summary>
    public static string? NotGovernedBy(ScaleProposal proposal, ScalePolicy policy)
    {
        var asked = ProposalFactory.TargetOf(proposal);
        var governed = ProposalFactory.TargetOf(policy);
        return asked == governed ? null : $"policy {policy.Metadata.Name} now governs {governed.Kind}/{governed.Name}, not {asked.Kind}/{asked.Name}";
    }

    /// <summary>
    /// Why <paramref name="proposal"/>'s policy no longer governs it at all: the policy was deleted
    /// (<paramref name="policy"/> null), it governs another workload now (<see cref="NotGovernedBy"/>), or an older policy
    /// holds it off the workload (<paramref name="heldBy"/>, <see cref="TargetOwnership.HeldBy"/>), or it was switched to mode
    /// Observe (<see cref="ObserveMode.Withdrawn"/>: it scales nothing from then on). Such a proposal is never
    /// applied, so a pending one is withdrawn — at a tap, and by the loop without one (its card would otherwise wait in the
    /// on-call group, approvable-looking, until it expires). A held decision (missing metrics, a freeze) is no reason: the
    /// policy still governs the workload, and the proposal waits. Null while the policy governs it.
    /// </summary>
    public static string? Ungoverned(ScaleProposal proposal, ScalePolicy? policy, ScalePolicy? heldBy) =>
        policy is null ? PolicyGone(proposal)
        : NotGovernedBy(proposal, policy) ?? (heldBy is null ? null : TargetOwnership.Problem(policy, heldBy)) ?? ObserveMode.Withdrawn(policy);

    private static string PolicyGone(ScaleProposal proposal) => $"policy {proposal.Metadata.Namespace}/{proposal.Spec.PolicyName} no longer exists";

    /// <summary>
    /// Null when scaling to <paramref name="replicas"/> still makes sense against the workload as it is now and the
    /// policy's latest decision (<see cref="NoLongerNeeded"/>, <see cref="Undecided"/>); otherwise why not.
    /// </summary>
    /// <param name="statusRefresh">The loop's status refresh period, which bounds how old the latest decision may be.</param>
    public static string? StillHolds(ScaleProposal proposal, ScalePolicy? policy, WorkloadState state, int replicas, DateTimeOffset now, TimeSpan statusRefresh)
    {
        if (policy is null)
        {
            return PolicyGone(proposal);
        }

        if (policy.Unreadable is { } unreadable)
        {
            return $"policy {policy.Key} as stored cannot be read ({unreadable})";
        }

        if ((NotGovernedBy(proposal, policy) ?? ObserveMode.Withdrawn(policy)) is { } moved)
        {
            return moved;
        }

        if (ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Pin)
        {
            // A pin applied at once is written into the spec before it scales: when another pin replaced it since (two
            // pins at the same moment), that one scales and this one does not, or the workload would run this one's
            // count under the other's pin. A pin that waited for approval is written after it scales.
            var appliedAtOnce = proposal.Metadata.Annotations?.ContainsKey(ProposalFactory.PinDurationAnnotation) != true;
            return appliedAtOnce && ActivePin(policy.Spec, now) is { } current && current.Replicas != replicas
                ? $"superseded: the policy is pinned at {current.Replicas} by {current.By} since this pin was written"
                : PinOutsideBounds(proposal, policy.Spec, replicas);
        }

        if (ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Undo && state.SpecReplicas != proposal.Spec.FromReplicas)
        {
            return $"the workload moved since the undo was asked for: it runs {state.SpecReplicas}, the undo started from {proposal.Spec.FromReplicas}";
        }

        if (OverrideInForce(policy.Spec, now) is { } overridden)
        {
            return overridden;
        }

        if (OutsideBounds(policy.Spec, replicas) is { } outside)
        {
            return outside;
        }

        if ((NoLongerNeeded(proposal, policy, now) is { } unneeded ? $"no longer needed: {unneeded}" : Undecided(proposal, policy, now, statusRefresh)) is { } undecided)
        {
            return undecided;
        }

        if (NoLongerAutomatic(proposal, policy.Spec) is { } asksApproval)
        {
            return asksApproval;
        }

        var proposed = Math.Sign(proposal.Spec.ToReplicas - proposal.Spec.FromReplicas);
        var remaining = Math.Sign(replicas - state.SpecReplicas);
        return remaining != 0 && proposed != 0 && remaining != proposed
            ? $"the workload is at {state.SpecReplicas} now (proposed from {proposal.Spec.FromReplicas}); scaling to {replicas} would go the other way"
            : null;
    }

    /// <summary>
    /// Why the loop's own approval of an automatic step no longer stands: the policy was switched to Approval (for that
    /// direction) since the loop approved it, and the step had not been written yet (a leader's crash or a held apply,
    /// resumed later). Someone who switches a policy to Approval to stop it changing things on its own means it now: the
    /// step fails and the next evaluation asks the approvers. Null for other proposals, or while the policy still acts on
    /// its own that way (Auto, or Hybrid: its allowance is counted over a window, which the loop judged).
    /// </summary>
    public static string? NoLongerAutomatic(ScaleProposal proposal, ScalePolicySpec spec)
    {
        if (ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Auto || proposal.Spec.ToReplicas == proposal.Spec.FromReplicas)
        {
            return null;
        }

        var down = proposal.Spec.ToReplicas < proposal.Spec.FromReplicas;
        var mode = down ? spec.ScaleDownMode ?? spec.Mode : spec.Mode;
        return mode == ScaleMode.Approval
            ? $"the policy asks for approval {(down ? "to scale down" : "to scale up")} now (mode {mode}, changed since the loop approved this automatic step); not applied, the next evaluation proposes it to the approvers"
            : null;
    }

    /// <summary>
    /// Why a pin cannot scale to <paramref name="replicas"/> under the policy's bounds as they are now: it was asked
    /// within them (not with <c>allowOutsideBounds</c>, <see cref="ProposalFactory.PinAllowedOutsideBounds"/>) and they
    /// moved since — a maxReplicas lowered while the request waited for an approver must hold as it does for the loop's
    /// proposals. Null within them, or when it was asked outside them on purpose.
    /// </summary>
    public static string? PinOutsideBounds(ScaleProposal proposal, ScalePolicySpec spec, int replicas) =>
        ProposalFactory.PinAllowedOutsideBounds(proposal) || OutsideBounds(spec, replicas) is not { } outside
            ? null
            : $"{outside} now (changed since the pin was asked; it was asked without allowOutsideBounds)";

    /// <summary>
    /// Why a proposal (a pin is judged by <see cref="PinOutsideBounds"/>: it may go outside on purpose) cannot scale to <paramref name="replicas"/> under the
    /// policy's bounds as they are now — they may have moved since the card was sent; null within them. The tap asks it
    /// before it records an approval, the applier again before it writes.
    /// </summary>
    public static string? OutsideBounds(ScalePolicySpec spec, int replicas) =>
        replicas < spec.MinReplicas || replicas > spec.MaxReplicas
            ? $"{replicas} is outside the policy's {spec.MinReplicas}..{spec.MaxReplicas}"
            : null;

    /// <summary>
    /// A "no" holds: after <paramref name="refused"/> was rejected (or approved only in part), the workload is not
    /// proposed again the same way until the policy's back-off has passed, unless the newer decision asks for more
    /// than the refused proposal was sized for (beyond the tolerance). Null when nothing holds the decision back.
    /// </summary>
    public static RefusalHold? Hold(ScaleProposal? refused, ScalePolicy policy, Decision decision, DateTimeOffset now)
    {
        if (refused is null || HoldOf(refused, policy.Spec.Tolerance) is not { } hold || decision.Direction == ScaleDirection.None || now >= hold.Until)
        {
            return null;
        }

        var spec = refused.Spec;
        var up = spec.ToReplicas > spec.FromReplicas;
        if (decision.Direction != (up ? ScaleDirection.Up : ScaleDirection.Down))
        {
            return null;
        }

        // Up, the need before the step limit: from the same count the step limit caps every ask at the refused one, so
        // live a rejected 6 → 26 held for 30 minutes while 40 were needed and 78 % of requests failed.
        var needed = Math.Min(decision.NeededReplicas, policy.Spec.MaxReplicas);
        var beyond = up ? needed > hold.SizedFor : decision.DesiredReplicas < spec.ToReplicas - Slack(spec, policy.Spec.Tolerance);
        return beyond ? null : hold;
    }

    /// <summary>
    /// The hold a refused proposal puts on its workload (null when it was not refused by a person). A scale-up's hold
    /// names the count that lifts it, the refused one plus the tolerance (the proposal's own, else
    /// <paramref name="tolerance"/>), so the card, the status and the loop say the same number: live, the card said
    /// "unless more than 26" while 27 and 28 stayed held.
    /// </summary>
    public static RefusalHold? HoldOf(ScaleProposal proposal, double? tolerance = null)
    {
        if (RefusedAt(proposal) is not { } at)
        {
            return null;
        }

        var spec = proposal.Spec;
        var sizedFor = spec.ToReplicas > spec.FromReplicas ? FitsUpTo(spec, tolerance ?? 0) : spec.ToReplicas;
        return new RefusalHold(proposal, at.AddSeconds(spec.RejectBackoffSeconds), sizedFor);
    }

    /// <summary>The replicas within tolerance of a proposal's target: the proposal's own tolerance, else the policy's.</summary>
    private static double Slack(ScaleProposalSpec spec, double policyTolerance) => (spec.Tolerance ?? policyTolerance) * Math.Max(1, spec.ToReplicas);

    /// <summary>The most replicas a proposal's target still covers: the target plus <see cref="Slack"/>, in whole pods.</summary>
    internal static int FitsUpTo(ScaleProposalSpec spec, double policyTolerance) => (int)Math.Floor(spec.ToReplicas + Slack(spec, policyTolerance));

    /// <summary>When a person said no (or "only part of it") to the proposal; null for any other outcome.</summary>
    public static DateTimeOffset? RefusedAt(ScaleProposal proposal) => proposal.Status switch
    {
        { Phase: ProposalPhase.Applied, Undo: { } undo } when undo.By != ProposalLifecycle.SystemUser => undo.At,
        { Phase: ProposalPhase.Rejected, Rejection: { } rejection } when rejection.User != ProposalLifecycle.SystemUser => rejection.At,
        { Phase: ProposalPhase.Applied, AppliedReplicas: { } applied, AppliedAt: { } at }
            when applied != proposal.Spec.ToReplicas && ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Approval => at,
        _ => null,
    };
}

/// <summary>A refused proposal holding back new ones until <see cref="Until"/>, unless more than <see cref="SizedFor"/> replicas are needed.</summary>
public sealed record RefusalHold(ScaleProposal Refused, DateTimeOffset Until, int SizedFor)
{
    /// <summary>What the card and the policy status say: until when, and who can lift it.</summary>
    public string Describe() => $"held after {What()}: {Terms(Until.ToString("HH:mm", CultureInfo.InvariantCulture) + " UTC")}";

    /// <summary>
    /// Who refused what: "bob rejected 20 → 60", "a partial approval of 20 → 60", "alice undid 20 → 60"; an undo takes
    /// back what was applied, which after a partial approval is less than the ask ("alice undid 20 → 40 (of 20 → 60 asked)").
    /// </summary>
    private string What()
    {
        var spec = Refused.Spec;
        var asked = $"{spec.FromReplicas} → {spec.ToReplicas}";
        return Refused.Status switch
        {
            { Undo: { } undo, AppliedReplicas: { } applied } when applied != spec.ToReplicas => $"{undo.By} undid {spec.FromReplicas} → {applied} (of {asked} asked)",
            { Undo: { } undo } => $"{undo.By} undid {asked}",
            { Phase: ProposalPhase.Rejected, Rejection: var rejection } => $"{rejection?.User} rejected {asked}",
            _ => $"a partial approval of {asked}",
        };
    }

    /// <summary>Until when and who can lift it, with the time already formatted for the reader.</summary>
    public string Terms(string until) =>
        $"no new proposal until {until} unless more than {SizedFor} replicas are needed; "
        + $"an approver ({string.Join(", ", Refused.Spec.Approvers)}) can lift it with scalectl scale";
}
