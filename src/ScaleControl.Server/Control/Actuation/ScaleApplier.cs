using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Text;
using ScaleControl.Server.Security;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Applies a proposal exactly once: claims it (Approved → Applying, conditional on resourceVersion, so a second
/// caller backs off; a tap claims it in the same write that records the approval), re-reads the workload, re-checks
/// that the change still holds, writes the scale conditionally on the workload's resourceVersion (on Conflict:
/// re-read, re-check, retry — never blind), shows the outcome on the card, and records the outcome on the proposal
/// together with what the card shows (one write). A claim whose replica died is resumed by the leader: the workload
/// is read again, so a scale that was already written is not written twice. Approvals that fall short of the policy as
/// it is now are not applied: the proposal goes back to Pending for another approval while it has not expired
/// (<see cref="ProposalLifecycle.AwaitApprovals"/>), and fails once it has.
/// </summary>
public sealed class ScaleApplier(
    IWorkloadClient workloads,
    IPolicyStore policies,
    ProposalWriter writer,
    Announcer announcer,
    AutoStepNotices autoSteps,
    CardSync cards,
    PolicyRuntimes runtimes,
    ApprovalVerification approvals,
    IUsedApprovalLedger used,
    PinActivation pins,
    UndoCompletion undos,
    CrashPoints crashPoints,
    HoldPoints holdPoints,
    IOptions<ControlLoopOptions> options,
    TimeProvider time,
    ScaleControlMetrics metrics,
    ILogger<ScaleApplier> logger)
{
    private const int ConflictRetries = 3;

    /// <summary>Applies an Approved proposal to the approved replicas; returns the final record (or the current one when another caller applies it).</summary>
    public async Task<ScaleProposal> ApplyAsync(ScaleProposal proposal, string by, CancellationToken cancellationToken)
    {
        var claimed = await writer.UpdateAsync(proposal, p => ProposalLifecycle.StartApplying(p, time.GetUtcNow(), by, approvals.Recorded(p)).IfAccepted(), cancellationToken);
        if (claimed is null)
        {
            // Someone else claimed it (another replica or a simultaneous tap): they apply, we do not.
            return await writer.ReadAsync(proposal, cancellationToken);
        }

        return await ApplyClaimedAsync(claimed, by, cancellationToken);
    }

    /// <summary>Takes over an apply whose claim is older than <paramref name="claimTimeout"/> (its replica stopped) and finishes it.</summary>
    public async Task<ScaleProposal> ResumeAsync(ScaleProposal proposal, TimeSpan claimTimeout, CancellationToken cancellationToken)
    {
        var claimed = await writer.UpdateAsync(proposal, p => ProposalLifecycle.ResumeApplying(p, time.GetUtcNow(), claimTimeout, recorded: approvals.Recorded(p)).IfAccepted(), cancellationToken);
        return claimed is null
            ? await writer.ReadAsync(proposal, cancellationToken)
            : await ApplyClaimedAsync(claimed, ProposalLifecycle.SystemUser, cancellationToken);
    }

    /// <summary>Applies a proposal this caller holds the Applying claim on.</summary>
    public async Task<ScaleProposal> ApplyClaimedAsync(ScaleProposal claimed, string by, CancellationToken cancellationToken)
    {
        var replicas = ProposalLifecycle.ApprovedReplicas(claimed, approvals.Recorded(claimed)) ?? claimed.Spec.ToReplicas;
        var policy = await policies.GetAsync(claimed.Metadata.Namespace, claimed.Spec.PolicyName, cancellationToken);
        var target = ProposalFactory.TargetOf(claimed);
        ScaleResult outcome;
        int from;
        ApprovalTally? shortfall;
        try
        {
            (outcome, from, shortfall) = await WriteScaleAsync(claimed, policy, target, replicas, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            return await InterruptAsync(claimed, target, replicas, ex.Message, cancellationToken);
        }

        if (shortfall is not null && await AwaitApprovalsAsync(claimed, shortfall, target, replicas, cancellationToken) is { } waiting)
        {
            return waiting;
        }

        crashPoints.Reached(CrashPoints.ScaleWritten);

        var now = time.GetUtcNow();
        ScaleProposal? Finish(ScaleProposal p) => (outcome.Succeeded
            ? ProposalLifecycle.MarkApplied(p, outcome.Replicas ?? replicas, now, by)
            : ProposalLifecycle.MarkFailed(p, outcome.Message, now, by)).IfAccepted();

        // The card first, then one write that records the outcome and that the card shows it. Shown only if nothing wrote
        // the proposal since the claim: a write since may come with a render landing after this one (CardSync), and the
        // card, left stale, is then rendered again by the reconciler.
        var expected = Finish(claimed) ?? claimed;
        var rendered = await announcer.UpdateCardAsync(expected, cancellationToken);
        crashPoints.Reached(CrashPoints.CardUpdated);
        var final = await writer.UpdateAsync(claimed, p =>
            {
                var next = ProposalLifecycle.HoldsClaim(p, claimed) ? Finish(p) : null;
                var shown = next is not null && rendered is not null && p.Metadata.ResourceVersion == claimed.Metadata.ResourceVersion
                    && CardState.Of(next) == CardState.Of(expected);
                return shown ? CardState.Shown(next!, expected) : next;
            }, cancellationToken)
            ?? await writer.ReadAsync(claimed, cancellationToken);
        crashPoints.Reached(CrashPoints.OutcomeRecorded);
        if (rendered is not null)
        {
            await cards.RecordOtherRowsAsync(rendered, claimed.Key, cancellationToken);
        }

        final = await RecordAsync(final, AppliedChanges.SourceOfApply(claimed), policy, target, from, replicas, outcome, cancellationToken);
        await pins.ActivateAsync(final, cancellationToken);
        await undos.CompleteAsync(final, cancellationToken);
        // Used up, whether they scaled or the proposal failed (final: nothing applies it again). Last, so that a replica
        // that stops before is resumed as before.
        foreach (var approval in approvals.Sealed(claimed))
        {
            await used.RecordAsync(approval.Signature!, claimed.Key, now, cancellationToken);
        }

        return final;
    }

    /// <summary>
    /// The policy could not be re-read before the write (the API server failed or did not answer): written blind, a
    /// freeze or pin set meanwhile would be run over; failed, the approved decision would be lost. So nothing is written
    /// and the claim stays, dated now and saying why, for the leader to resume after ApplyClaimSeconds.
    /// </summary>
    private async Task<ScaleProposal> InterruptAsync(ScaleProposal claimed, WorkloadRef target, int replicas, string reason, CancellationToken cancellationToken)
    {
        logger.ApplyInterrupted(claimed.Metadata.Namespace, claimed.Metadata.Name, target.ToString(), replicas, reason);
        var why = $"could not re-read the policy ({reason})";
        var interrupted = await writer.UpdateAsync(claimed, p => ProposalLifecycle.HoldsClaim(p, claimed)
                ? ProposalLifecycle.InterruptApplying(p, time.GetUtcNow(), why, recorded: approvals.Recorded(p)).IfAccepted()
                : null, cancellationToken)
            ?? await writer.ReadAsync(claimed, cancellationToken);
        await announcer.EventAsync(interrupted, ScaleEventReasons.ScaleDeferred, $"not scaled to {replicas} yet: {why}; retried after the claim timeout (proposal {claimed.Metadata.Name})", warning: true, cancellationToken);
        return interrupted;
    }

    /// <summary>
    /// Too few approvals count now, and nothing was written: the proposal goes back to Pending, its card (updated in
    /// place) saying how many count and how many more are needed. Null when it cannot wait (expired, or another caller
    /// took the claim over): it is then recorded as failed, or left to that caller.
    /// </summary>
    private async Task<ScaleProposal?> AwaitApprovalsAsync(ScaleProposal claimed, ApprovalTally shortfall, WorkloadRef target, int replicas, CancellationToken cancellationToken)
    {
        var waiting = await writer.UpdateAsync(claimed, p => ProposalLifecycle.HoldsClaim(p, claimed)
            ? ProposalLifecycle.AwaitApprovals(p, shortfall, time.GetUtcNow()).IfAccepted()
            : null, cancellationToken);
        if (waiting is null)
        {
            return null;
        }

        await announcer.EventAsync(waiting, ScaleEventReasons.ScaleAwaitingApproval,
            $"not scaled to {replicas}: {shortfall.Describe()}; the proposal waits for another approval (proposal {claimed.Metadata.Name})", warning: true, cancellationToken);
        return await cards.ShowAsync(waiting, cancellationToken);
    }

    private async Task<(ScaleResult Outcome, int From, ApprovalTally? Shortfall)> WriteScaleAsync(ScaleProposal proposal, ScalePolicy? policy, WorkloadRef target, int replicas, CancellationToken cancellationToken)
    {
        var from = proposal.Spec.FromReplicas;
        if (await UsedBeforeAsync(proposal, cancellationToken) is { } again)
        {
            return (new ScaleResult(ScaleOutcome.Failed, null, again), from, null);
        }

        for (var attempt = 0; ; attempt++)
        {
            var state = await workloads.GetAsync(target, cancellationToken);
            if (state is null)
            {
                return (new ScaleResult(ScaleOutcome.NotFound, null, $"{target.Kind} {target} not found"), from, null);
            }

            from = state.SpecReplicas;
            // The policy as it is now, read after the workload and from the API server, not this replica's cache: a
            // pin or freeze written since the claim (or since a conflicting scale), on any replica, is seen, and the
            // conditional write below fails if the workload moved after this.
            policy = await policies.GetCurrentAsync(proposal.Metadata.Namespace, proposal.Spec.PolicyName, cancellationToken);
            // Only approvals ScaleControl itself recorded, for people on the roster as it is now and as many as it asks
            // (a hand-written status is refused here); read from the API server, not a watch cache that may lag. Too few
            // that count is checked last: a change that no longer holds fails rather than waiting for approvals.
            var check = approvals.Check(proposal, policy);
            if ((check.Refusal
                 ?? await HeldOffAsync(policy, cancellationToken)
                 ?? ProposalRules.StillHolds(proposal, policy, state, replicas, time.GetUtcNow(), TimeSpan.FromSeconds(options.Value.StatusRefreshSeconds))) is { } refusal)
            {
                return (new ScaleResult(ScaleOutcome.Failed, state.SpecReplicas, refusal), from, null);
            }

            if (check.Shortfall is { } shortfall)
            {
                return (new ScaleResult(ScaleOutcome.Failed, state.SpecReplicas, $"{shortfall.Describe()}; not applied"), from, shortfall);
            }

            if (state.SpecReplicas == replicas && state.Hpa is null)
            {
                return (new ScaleResult(ScaleOutcome.Applied, replicas, $"already at {replicas}, nothing to write"), from, null);
            }

            await holdPoints.ReachedAsync(HoldPoints.ScaleWriting, cancellationToken);
            var result = await workloads.ScaleAsync(new ScaleRequest(target, replicas, state.ResourceVersion, proposal.Spec.Reason, proposal.Metadata.Name), cancellationToken);
            if (result.Outcome != ScaleOutcome.Conflict || attempt >= ConflictRetries)
            {
                var message = result.Succeeded ? $"applied {from} → {result.Replicas ?? replicas}{(result.ViaHpa ? " (via HPA minReplicas)" : "")}" : result.Message;
                return (result with { Message = message }, from, null);
            }

            await announcer.EventAsync(proposal, ScaleEventReasons.ScaleConflictRetried, $"{target} changed while scaling to {replicas}; re-read and re-checked", warning: false, cancellationToken);
        }
    }

    /// <summary>
    /// An approval is used by one apply. The proposal's status is no proof of that (whoever may write
    /// <c>scaleproposals/status</c> can rewind an Applied one to Approved, or delete it and create it again with the same
    /// name and sealed approvals), so the ledger outside the ScaleProposals is asked; an answer it cannot give throws,
    /// and the apply resumes later.
    /// </summary>
    private async Task<string?> UsedBeforeAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        foreach (var approval in approvals.Sealed(proposal))
        {
            if (await used.UsedAtAsync(approval.Signature!, cancellationToken) is { } at)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"the approval by {approval.User} was used by an apply already (at {at:yyyy-MM-dd HH:mm:ss} UTC) and an approval is used once: the proposal's status was rewound, or it was made again under its name; not applied");
            }
        }

        return null;
    }

    /// <summary>
    /// Scale writes come only from the policy that controls the workload (<see cref="TargetOwnership"/>): a proposal of a
    /// policy another one holds off it (an approval, an undo of a change it made before) is refused here, whoever asked.
    /// </summary>
    private async Task<string?> HeldOffAsync(ScalePolicy? policy, CancellationToken cancellationToken) =>
        policy is not null && await policies.HeldByAsync(policy, cancellationToken) is { } owner
            ? TargetOwnership.Problem(policy, owner)
            : null;

    /// <returns>The proposal as stored after its notices (an automatic step's first card is recorded on it).</returns>
    private async Task<ScaleProposal> RecordAsync(ScaleProposal final, ChangeSource source, ScalePolicy? policy, WorkloadRef target, int from, int replicas, ScaleResult outcome, CancellationToken cancellationToken)
    {
        var action = ProposalFactory.ActionOf(final);
        var channel = action switch { ProposalFactory.Action.Auto => "Auto", ProposalFactory.Action.Pin => "Pin", ProposalFactory.Action.Undo => "Undo", _ => "Approval" };
        var direction = replicas > from ? "up" : replicas < from ? "down" : "none";
        metrics.ScaleAction(direction, outcome.Succeeded ? "Applied" : outcome.Outcome.ToString());

        if (outcome.Succeeded)
        {
            metrics.AppliedAfter(channel, Math.Max(0, (time.GetUtcNow() - ProposalFactory.CreatedAt(final)).TotalSeconds));

            // Under the proposal's applied change it is: the leader learns it back from the proposal (AppliedChangeSync) and must not count it twice.
            var runtime = runtimes.For(final.Metadata.Namespace, final.Spec.PolicyName);
            lock (runtime.Gate)
            {
                runtime.History.RecordChange(time.GetUtcNow(), from, outcome.Replicas ?? replicas, source);
            }

            logger.Scaled(target.ToString(), from, outcome.Replicas ?? replicas, channel, final.Metadata.Name);
            var by = final.Status.Approvals.Count > 0 ? string.Join(", ", final.Status.Approvals.Select(a => a.User).Distinct(StringComparer.Ordinal)) : final.Spec.RequestedBy;
            await announcer.EventAsync(final, ScaleEventReasons.ScaledByScaleControl, $"{outcome.Message} ({channel.ToLowerInvariant()}, by {by}, proposal {final.Metadata.Name}): {final.Spec.Reason}", warning: false, cancellationToken);
            if (action == ProposalFactory.Action.Auto)
            {
                final = await AnnounceAutomaticAsync(final, policy, from, replicas, cancellationToken);
            }

            if (policy is not null && replicas >= policy.Spec.MaxReplicas && action != ProposalFactory.Action.Pin)
            {
                await announcer.NoticeAsync(policy, NoticeKind.MaxReplicasReached, target, $"{target} is at its maximum",
                    $"**{target}** reached maxReplicas **{policy.Spec.MaxReplicas}**; demand may exceed capacity.", cancellationToken);
            }
        }
        else
        {
            logger.ScaleFailed(target.ToString(), replicas, outcome.Message);
            await announcer.EventAsync(final, ScaleEventReasons.ScaleFailed, $"scaling to {replicas} failed: {outcome.Message} (proposal {final.Metadata.Name})", warning: true, cancellationToken);
            await announcer.NoticeAsync(policy, NoticeKind.ScaleFailed, target, $"Scaling {target} failed", $"**{target}** → {replicas} failed: {MarkdownText.Escape(outcome.Message)}", cancellationToken);
        }

        return final;
    }

    /// <summary>
    /// An automatic step, shown once per burst (<see cref="AutoNoticeRules"/>): a step on the card of the steps before
    /// it was shown when the card was updated above; the first step of a burst delivers the card into the notice group.
    /// A route to a custom-robot webhook (no cards there) gets the markdown notice, the steps after the first of a burst
    /// coalesced into one message per interval (<see cref="AutoStepNotices"/>).
    /// </summary>
    private async Task<ScaleProposal> AnnounceAutomaticAsync(ScaleProposal final, ScalePolicy? policy, int from, int replicas, CancellationToken cancellationToken)
    {
        if (final.Status.Card is not null)
        {
            return final;
        }

        if (policy is not null && announcer.AutoCardGroup(policy) is not null)
        {
            var card = await announcer.SendCardAsync(final, policy, cancellationToken);
            var shown = CardState.SentShowing(card, final);
            // Over a "no card" the reconciler recorded if this send took longer than its grace.
            return await writer.UpdateAsync(final, p => p.Status.Card is not { Error: null } ? ProposalLifecycle.WithCard(p, shown) : null, cancellationToken) ?? final;
        }

        if (policy is not null)
        {
            await autoSteps.AddAsync(policy, final, from, replicas, cancellationToken);
        }

        return final;
    }
}
