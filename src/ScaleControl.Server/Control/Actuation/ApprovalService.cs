using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Where every approval and rejection lands — DingTalk taps (Stream or HTTP callback), the REST API and scalectl.
/// The lifecycle rules (approver roster, two-person rule, expiry, duplicates) come from Core; the decision is written
/// conditionally on the proposal's resourceVersion, so of two simultaneous taps one wins and the other re-reads and
/// sees the new state. The approval that completes the rules also claims the apply in the same write (Approved →
/// Applying): from then on the approval is durable, and the apply runs behind it (<see cref="BackgroundApplies"/>) —
/// a tap is answered at once, the API waits for the outcome. A partial approval or a rejection is shown on the card
/// once (<see cref="CardSync"/>). A group card's "Approve all" / "Reject all" decides every pending row, each under
/// its own rules; a per-row button decides its row the same way. Every approval and rejection record is signed
/// (<see cref="ApprovalSigner"/>); the applier verifies approvals, and the history and the proposal's view mark either when it does not verify.
/// An approval claims the apply only when enough approvals count against the policy as it is now — the rule the applier
/// checks again (<see cref="ApprovalCounting"/>): a tap that falls short (an earlier approver removed from the roster,
/// requiredApprovals raised) is recorded, and the card asks for another approval.
/// </summary>
public sealed class ApprovalService(
    ProposalWriter writer,
    IPolicyStore policies,
    ProposalWithdrawals withdrawals,
    IOptions<ControlLoopOptions> options,
    BackgroundApplies applies,
    CardSync cards,
    Announcer announcer,
    ApprovalSigner signer,
    ApprovalVerification verification,
    CrashPoints crashPoints,
    TimeProvider time,
    ScaleControlMetrics metrics,
    ILogger<ApprovalService> logger) : IApprovalInbox
{
    /// <summary>Decisions on one proposal are taken one at a time on this replica (striped by name): a burst of taps makes one write, not a pile of conflicts.</summary>
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken) =>
        Log(command, command.AllRows ? await DecideRowsAsync(command, cancellationToken)
            : command.Row is not null ? await DecideRowAsync(command, cancellationToken)
            : await FollowAsync(command, await DecideGatedAsync(command, cancellationToken), cancellationToken));

    /// <summary>An approval that claimed the apply starts it behind the durable claim; the API waits for the outcome, a tap does not.</summary>
    private async Task<ApprovalResult> FollowAsync(ApprovalCommand command, ApprovalResult recorded, CancellationToken cancellationToken)
    {
        if (recorded is not { Kind: ApprovalResultKind.Accepted, Proposal: { Status.Phase: ProposalPhase.Applying } claimed })
        {
            return recorded;
        }

        crashPoints.Reached(CrashPoints.ApprovalRecorded);
        var outcome = applies.Start(claimed, command.User);
        if (!command.AwaitOutcome)
        {
            return recorded with { Message = $"{recorded.Message}; scaling now" };
        }

        var applied = await outcome.WaitAsync(cancellationToken);
        return recorded with { Proposal = applied, Message = $"{recorded.Message}; {applied.Status.Message}" };
    }

    private async Task<ApprovalResult> DecideGatedAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var gate = _gates[(StringComparer.Ordinal.GetHashCode($"{command.Namespace}/{command.ProposalName}") & int.MaxValue) % _gates.Length];
        await gate.WaitAsync(cancellationToken);
        try
        {
            return await RecordDecisionAsync(command, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>"Approve all" / "Reject all" on a group card: the same decision for every pending row, each under its own rules.</summary>
    private async Task<ApprovalResult> DecideRowsAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var proposal = await writer.GetAsync(command.Namespace, command.ProposalName, cancellationToken);
        if (proposal is null)
        {
            return new ApprovalResult(ApprovalResultKind.NotFound, $"proposal {command.Namespace}/{command.ProposalName} does not exist", null);
        }

        var rows = (await announcer.CardRowsAsync(proposal, cancellationToken)).Where(p => p.Status.Phase == ProposalPhase.Pending).ToList();
        if (rows.Count == 0)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, "no row of this card is waiting for a decision", proposal);
        }

        if (await NotAnApproverOfAnyAsync(command, rows, cancellationToken) is { } refusal)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, refusal, proposal);
        }

        var results = new List<ApprovalResult>();
        foreach (var row in rows)
        {
            // A person decides the rows they saw (the card's, or the ones chat and the API checked the caller's namespaces
            // for): none that joined since, and an approval grants each row up to its target then.
            int? seen = null;
            if (command.SeenRows is { } shown)
            {
                if (!shown.TryGetValue(row.Key, out var to))
                {
                    results.Add(new ApprovalResult(ApprovalResultKind.Refused, "joined the card after you looked; still waiting for a decision", row));
                    continue;
                }

                seen = command.Approve ? to : null;
            }

            var rowCommand = command with { Namespace = row.Metadata.Namespace, ProposalName = row.Metadata.Name, AllRows = false, SeenRows = null, Replicas = seen ?? command.Replicas };
            results.Add(await FollowAsync(rowCommand, await DecideGatedAsync(rowCommand, cancellationToken), cancellationToken));
        }

        var accepted = results.Count(r => r.Kind == ApprovalResultKind.Accepted);
        var kind = accepted > 0 ? ApprovalResultKind.Accepted : results.All(r => r.Kind == ApprovalResultKind.Duplicate) ? ApprovalResultKind.Duplicate : ApprovalResultKind.Refused;
        var lines = RowOutcomes.Join(results.Zip(rows, (r, row) => ($"{row.Metadata.Namespace}/{row.Spec.Target.Name}", r.Message)));
        var lead = results.Select(r => r.Proposal).FirstOrDefault(p => p?.Key == proposal.Key) ?? proposal;
        return new ApprovalResult(kind, $"{accepted} of {rows.Count} rows {(command.Approve ? "approved" : "rejected")}: {lines}", lead)
        {
            Rows = [.. rows.Zip(results, (row, r) => new CardRowResult(row, r))],
        };
    }

    /// <summary>
    /// Someone who may decide none of the rows gets one line naming who may, not "not an approver" once per row. The
    /// requester may still withdraw (reject) their own row, so that case goes through the per-row rules.
    /// </summary>
    private async Task<string?> NotAnApproverOfAnyAsync(ApprovalCommand command, IReadOnlyList<ScaleProposal> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            // The approvers the row was sent to, or its policy's as they are now (one added since): its own rules judge the rest.
            if (ProposalLifecycle.MayDecide(row, command.User, command.Approve)
                || ProposalLifecycle.MayDecide(row, command.User, command.Approve, RosterNow(await policies.GetAsync(row.Metadata.Namespace, row.Spec.PolicyName, cancellationToken))))
            {
                return null;
            }
        }

        var roster = rows.SelectMany(r => r.Spec.Approvers).Distinct(StringComparer.Ordinal);
        return $"{command.User} is not an approver of these rows; approvers: {string.Join(", ", roster)}";
    }

    /// <summary>
    /// A group card's per-row button: the row must be on the tapped card (a forged <c>row</c> param cannot reach another
    /// proposal), then it is decided like any approval, under its own rules.
    /// </summary>
    private async Task<ApprovalResult> DecideRowAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var card = await writer.GetAsync(command.Namespace, command.ProposalName, cancellationToken);
        if (card is null)
        {
            return new ApprovalResult(ApprovalResultKind.NotFound, $"proposal {command.Namespace}/{command.ProposalName} does not exist", null);
        }

        var row = (await announcer.CardRowsAsync(card, cancellationToken)).FirstOrDefault(p => p.Key == command.Row);
        if (row is null)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"{command.Row} is not a row of this card; nothing was changed", card);
        }

        var rowCommand = command with { Namespace = row.Metadata.Namespace, ProposalName = row.Metadata.Name, Row = null };
        var result = await FollowAsync(rowCommand, await DecideGatedAsync(rowCommand, cancellationToken), cancellationToken);
        return result with { Message = $"{row.Metadata.Namespace}/{row.Spec.Target.Name}: {result.Message}" };
    }

    /// <summary>Writes the decision; a partial approval or a rejection is also shown on the card.</summary>
    private async Task<ApprovalResult> RecordDecisionAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var proposal = await writer.GetAsync(command.Namespace, command.ProposalName, cancellationToken);
        if (proposal is null)
        {
            return new ApprovalResult(ApprovalResultKind.NotFound, $"proposal {command.Namespace}/{command.ProposalName} does not exist", null);
        }

        // Who tapped first (a stranger's tap changes nothing), then whether the proposal still holds.
        var policy = await policies.GetAsync(proposal.Metadata.Namespace, proposal.Spec.PolicyName, cancellationToken);
        var rosterNow = RosterNow(policy);
        if (command.Approve && proposal.Status.Phase == ProposalPhase.Pending && time.GetUtcNow() < proposal.Spec.ExpiresAt
            && (ProposalLifecycle.MayDecide(proposal, command.User, approve: true) || ProposalLifecycle.MayDecide(proposal, command.User, approve: true, rosterNow))
            && await RecheckAsync(proposal, policy, command, cancellationToken) is { } refused)
        {
            return refused;
        }

        if (!command.Approve && proposal.Status.Phase == ProposalPhase.Pending && RejectionRecheck(proposal, rosterNow, command) is { } notRejected)
        {
            return notRejected;
        }

        ApprovalResult? verdict = null;
        var stored = await writer.UpdateAsync(proposal, current =>
        {
            var now = time.GetUtcNow();
            // No policy: nothing to count against here; the applier refuses it, naming the missing policy.
            var step = Decide(current, command, now, !command.Approve || policy is null ? null : verification.RulesFor(current, policy), verification.Recorded(current), rosterNow);
            verdict = step.ToApprovalResult();
            return step.IfAccepted() is { } accepted ? Claim(signer.SignRejection(signer.SignFor(accepted, command.User)), command.User, now) : null;
        }, cancellationToken);

        if (verdict is null || stored is null)
        {
            return verdict ?? new ApprovalResult(ApprovalResultKind.Refused, "nothing to decide", proposal);
        }

        await RecordAsync(stored, command, cancellationToken);
        if (command.Approve && verdict.Kind == ApprovalResultKind.Accepted && NotCounted(stored, command.User) is { } claims)
        {
            verdict = verdict with { Message = $"{verdict.Message}; {claims}" };
        }

        return stored.Status.Phase == ProposalPhase.Applying
            ? verdict with { Proposal = stored }
            : verdict with { Proposal = await cards.ShowAsync(stored, cancellationToken) }; // counted but more needed, or rejected: shown once
    }

    /// <summary>
    /// The re-check at the tap, against the policy as it is now — its roster (<see cref="ApprovalCounting.OnRoster"/>),
    /// whether it still governs the workload (<see cref="ProposalRules.Ungoverned"/>: deleted, retargeted, or held off by
    /// an older policy; the loop withdraws such a proposal untapped too) — and its latest decision
    /// (<see cref="ProposalRules.NoLongerNeeded"/>): a proposal it no longer supports is withdrawn, its card says why, and
    /// the tapper is told; one whose decision cannot be confirmed (none, too old, or held for missing metrics or a freeze:
    /// <see cref="ProposalRules.Undecided"/>) is refused and left waiting; a scale-up held only by the change budget or a
    /// cooldown goes on, and the approval applies. Any replica reads the decision the leader wrote on the policy's status,
    /// here from its watch cache (a tap costs no API call); the applier reads it again from the API server right before
    /// the scale write (<see cref="ProposalRules.StillHolds"/>). Null when the approval may go on.
    /// </summary>
    private async Task<ApprovalResult?> RecheckAsync(ScaleProposal proposal, ScalePolicy? policy, ApprovalCommand command, CancellationToken cancellationToken)
    {
        // What it orders beyond its spec (a pin's duration, the action) was rewritten by hand: no approval can count.
        if (verification.OrderProblem(proposal) is { } tampered)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {tampered}. Nobody can approve it.", proposal);
        }

        // Its roster, bounds and decisions are unknown until it is fixed: nothing is applied on it, the proposal waits.
        if (policy?.UnreadableProblem() is { } unreadable)
        {
            return new ApprovalResult(ApprovalResultKind.Refused,
                $"Not applied: {unreadable}; fix it with kubectl. The proposal still waits.", proposal);
        }

        // The roster as it is now, as the applier will check it: an approver dropped since the card was sent is refused
        // here and the proposal waits for the others, instead of claiming the apply and failing it for everyone.
        if (ProposalLifecycle.DroppedFromRoster(proposal, command.User, approve: true, RosterNow(policy)) is { } dropped)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {dropped}. The proposal still waits.", proposal);
        }

        // Switched to mode Observe since the card was sent: it scales nothing, so no approval applies (the loop withdraws it too).
        if (policy is not null && ObserveMode.Withdrawn(policy) is { } observing
            && await withdrawals.WithdrawAsync(proposal, observing, $"when {command.User} approved via {command.Channel}", cancellationToken) is { } unobserved)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {observing}. The proposal is withdrawn.", await cards.ShowAsync(unobserved, cancellationToken));
        }

        var owner = policy is null ? null : await policies.HeldByAsync(policy, cancellationToken);
        if ((ProposalRules.Ungoverned(proposal, policy, owner) ?? (policy is null ? null : ProposalRules.NoLongerNeeded(proposal, policy, time.GetUtcNow()))) is { } why
            && await withdrawals.WithdrawAsync(proposal, why, $"when {command.User} approved via {command.Channel}", cancellationToken) is { } withdrawn)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: no longer needed, {why}. The proposal is withdrawn.", await cards.ShowAsync(withdrawn, cancellationToken));
        }

        if (policy is null)
        {
            return null; // withdrawn by someone else meanwhile: the write below finds it decided
        }

        // A freeze or pin set since the loop last evaluated (its status does not say so yet): the card waits, as it does
        // once the status says so, rather than the apply failing on it. A pin request goes past both, as the applier lets it.
        if (ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Pin && ProposalRules.OverrideInForce(policy.Spec, time.GetUtcNow()) is { } overridden)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: the {overridden}. The proposal still waits.", proposal);
        }

        // Bounds narrowed since the card was sent (maxReplicas lowered in a storm): refused here, and the loop amends the
        // card within them, rather than "scaling now" followed by a failed apply.
        var chosen = (command.HalfStep ? proposal.Spec.AlternativeReplicas : command.Replicas) ?? proposal.Spec.ToReplicas;
        if (ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Pin
            && ProposalLifecycle.GrantedReplicas(proposal, chosen) is { } granted
            && ProposalRules.OutsideBounds(policy.Spec, granted) is { } outside)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {outside} now (changed since the card was sent). The proposal still waits.", proposal);
        }

        // A pin asked within the bounds is held to them as they are now (the loop does not amend a pin: it waits, and the
        // requester may ask again with allowOutsideBounds); one asked outside them on purpose goes on.
        if (ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Pin
            && ProposalRules.PinOutsideBounds(proposal, policy.Spec, proposal.Spec.ToReplicas) is { } pinOutside)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {pinOutside}. The proposal still waits.", proposal);
        }

        return ProposalRules.Undecided(proposal, policy, time.GetUtcNow(), TimeSpan.FromSeconds(options.Value.StatusRefreshSeconds)) is { } unknown
            ? new ApprovalResult(ApprovalResultKind.Refused, $"Not applied: {unknown}. The proposal still waits.", proposal)
            : null;
    }

    /// <summary>
    /// The roster as it is now for a rejection, as for an approval: an approver dropped since the card was sent cannot
    /// close it (and hold the policy's next ask for the reject back-off). The requester may still withdraw their own
    /// request. Null when the rejection may go on (Core's <see cref="ProposalLifecycle.Reject"/> judges the rest).
    /// </summary>
    private static ApprovalResult? RejectionRecheck(ScaleProposal proposal, IReadOnlyList<string>? rosterNow, ApprovalCommand command) =>
        ProposalLifecycle.DroppedFromRoster(proposal, command.User, approve: false, rosterNow) is { } dropped
            ? new ApprovalResult(ApprovalResultKind.Refused, $"Not rejected: {dropped}. The proposal still waits.", proposal)
            : null;

    /// <summary>The policy's approvers as they are now; null when there is no policy or it cannot be read (then the proposal's own list decides).</summary>
    private static IReadOnlyList<string>? RosterNow(ScalePolicy? policy) =>
        policy is null || policy.UnreadableProblem() is not null ? null : policy.Spec.Approval?.Approvers ?? [];

    /// <summary>
    /// The lifecycle step for a command: enough approvals counting under <paramref name="counting"/> approve the
    /// proposal, sized by the approvals ScaleControl recorded (<paramref name="recorded"/>) and this one.
    /// </summary>
    private static TransitionResult Decide(ScaleProposal current, ApprovalCommand command, DateTimeOffset now, ApprovalCountRules? counting, Func<ApprovalRecord, bool> recorded, IReadOnlyList<string>? rosterNow)
    {
        if (!command.Approve)
        {
            return ProposalLifecycle.Reject(current, command.User, command.Channel, now, command.Reason, rosterNow);
        }

        if (command.HalfStep && current.Spec.AlternativeReplicas is null)
        {
            return new TransitionResult(TransitionStatus.Refused, current, $"no half step is offered for {current.Key}; nothing was changed");
        }

        var replicas = command.HalfStep ? current.Spec.AlternativeReplicas : command.Replicas;
        return ProposalLifecycle.Approve(current, command.User, command.Channel, now, replicas, counting, recorded);
    }

    /// <summary>
    /// An approval that completed the rules claims the apply in the same write, once sealed: the claim is sized by the
    /// approvals ScaleControl recorded, with the rule the applier sizes the write by (<see cref="ApprovalVerification.Recorded"/>).
    /// </summary>
    private ScaleProposal Claim(ScaleProposal decided, string user, DateTimeOffset now) =>
        decided.Status.Phase == ProposalPhase.Approved
        && ProposalLifecycle.StartApplying(decided, now, user, verification.Recorded(decided)) is { Accepted: true, Proposal: var claimed }
            ? claimed
            : decided;

    /// <summary>
    /// "not counted: zhangsan (unverified: no signature: …)": others' approvals beside the one just given that
    /// ScaleControl did not record, named with the shared words (<see cref="UnverifiedWording"/>), so the tapper knows
    /// they neither counted nor sized the step; null when there are none. One in the tapper's own name is already
    /// explained by the renewal's answer (<see cref="Reapproval.Describe"/>).
    /// </summary>
    private string? NotCounted(ScaleProposal stored, string user) =>
        ProposalVerification.Of(stored, signer).Approvals.Where(a => a.Unverified && a.User != user).Select(a => a.Label).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } claims
            ? $"not counted: {string.Join(", ", claims)}"
            : null;

    private async Task RecordAsync(ScaleProposal stored, ApprovalCommand command, CancellationToken cancellationToken)
    {
        if (stored.Status.Phase == ProposalPhase.Rejected)
        {
            await announcer.EventAsync(stored, ScaleEventReasons.ScaleProposalRejected,
                $"{command.User} rejected {stored.Spec.FromReplicas} → {stored.Spec.ToReplicas} via {command.Channel}: {command.Reason}", warning: false, cancellationToken);
            return;
        }

        if (stored.Status.Phase == ProposalPhase.Applying)
        {
            // No separate "approved" Event: the scale Event names the approvers, one write fewer per approval.
            metrics.ApprovalWait.Record(Math.Max(0, (time.GetUtcNow() - ProposalFactory.CreatedAt(stored)).TotalSeconds));
        }
    }

    private ApprovalResult Log(ApprovalCommand command, ApprovalResult result)
    {
        logger.ApprovalHandled(command.User, command.Channel.ToString(), command.Namespace, command.ProposalName, result.Kind.ToString(), result.Message);
        return result;
    }
}
