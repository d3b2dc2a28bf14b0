using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Control;

/// <summary>
/// Where every approval and rejection lands — DingTalk taps (Stream or HTTP callback), the REST API and scalectl.
/// The lifecycle rules (approver roster, two-person rule, expiry, duplicates) come from Core; the decision is written
/// conditionally on the proposal's resourceVersion, so of two simultaneous taps one wins and the other re-reads and
/// sees the new state. After the last needed approval the proposal is applied right here, on whichever replica took
/// the tap (the Approved → Applying claim is conditional too, so it is applied once; the leader finishes any
/// proposal left Approved by a replica that died).
/// </summary>
public sealed class ApprovalService(
    IProposalStore store,
    ProposalWriter writer,
    ScaleApplier applier,
    Announcer announcer,
    ApprovalSigner signer,
    TimeProvider time,
    ILogger<ApprovalService> logger) : IApprovalInbox
{
    public async Task<ApprovalResult> DecideAsync(ApprovalCommand command, CancellationToken cancellationToken)
    {
        var proposal = await store.GetAsync(command.Namespace, command.ProposalName, cancellationToken);
        if (proposal is null)
        {
            return Log(command, new ApprovalResult(ApprovalResultKind.NotFound, $"proposal {command.Namespace}/{command.ProposalName} does not exist", null));
        }

        if (command.AllRows)
        {
            return Log(command, await DecideRowsAsync(proposal, command, cancellationToken));
        }

        return Log(command, await DecideOneAsync(proposal, command, cancellationToken));
    }

    /// <summary>"Approve all" / "Reject all" on a group card: the same decision for every pending row, each under its own rules.</summary>
    private async Task<ApprovalResult> DecideRowsAsync(ScaleProposal proposal, ApprovalCommand command, CancellationToken cancellationToken)
    {
        var rows = (await announcer.CardRowsAsync(proposal, cancellationToken)).Where(p => p.Status.Phase == ProposalPhase.Pending).ToList();
        if (rows.Count == 0)
        {
            return new ApprovalResult(ApprovalResultKind.Refused, "no row of this card is waiting for a decision", proposal);
        }

        var results = new List<ApprovalResult>();
        foreach (var row in rows)
        {
            results.Add(await DecideOneAsync(row, command with { Namespace = row.Metadata.Namespace, ProposalName = row.Metadata.Name, AllRows = false }, cancellationToken));
        }

        var accepted = results.Count(r => r.Kind == ApprovalResultKind.Accepted);
        var kind = accepted > 0 ? ApprovalResultKind.Accepted : results.All(r => r.Kind == ApprovalResultKind.Duplicate) ? ApprovalResultKind.Duplicate : ApprovalResultKind.Refused;
        var lines = results.Select(r => r.Proposal is { } p ? $"{p.Metadata.Namespace}/{p.Spec.Target.Name}: {r.Message}" : r.Message);
        var lead = results.Select(r => r.Proposal).FirstOrDefault(p => p?.Key == proposal.Key) ?? proposal;
        return new ApprovalResult(kind, $"{accepted} of {rows.Count} rows {(command.Approve ? "approved" : "rejected")}: {string.Join("; ", lines)}", lead);
    }

    private async Task<ApprovalResult> DecideOneAsync(ScaleProposal proposal, ApprovalCommand command, CancellationToken cancellationToken)
    {
        ApprovalResult? verdict = null;
        var stored = await writer.UpdateAsync(proposal, current =>
        {
            var now = time.GetUtcNow();
            var step = command.Approve
                ? ProposalLifecycle.Approve(current, command.User, command.Channel, now, command.Replicas)
                : ProposalLifecycle.Reject(current, command.User, command.Channel, now, command.Reason);
            verdict = step.ToApprovalResult();
            return step.IfAccepted() is { } accepted ? signer.SignFor(accepted, command.User) : null;
        }, cancellationToken);

        if (verdict is null || stored is null)
        {
            return verdict ?? new ApprovalResult(ApprovalResultKind.Refused, "nothing to decide", proposal);
        }

        verdict = verdict with { Proposal = stored };
        await RecordAsync(stored, command, cancellationToken);
        if (stored.Status.Phase == ProposalPhase.Approved)
        {
            var applied = await applier.ApplyAsync(stored, command.User, cancellationToken);
            verdict = verdict with { Proposal = applied, Message = $"{verdict.Message}; {applied.Status.Message}" };
        }
        else
        {
            await announcer.UpdateCardAsync(stored, cancellationToken);
        }

        return verdict;
    }

    private async Task RecordAsync(ScaleProposal stored, ApprovalCommand command, CancellationToken cancellationToken)
    {
        if (stored.Status.Phase == ProposalPhase.Rejected)
        {
            await announcer.EventAsync(stored, ScaleEventReasons.ScaleProposalRejected,
                $"{command.User} rejected {stored.Spec.FromReplicas} → {stored.Spec.ToReplicas} via {command.Channel}: {command.Reason}", warning: false, cancellationToken);
            return;
        }

        if (stored.Status.Phase == ProposalPhase.Approved)
        {
            ScaleControlMetrics.ApprovalWait.Observe(Math.Max(0, (time.GetUtcNow() - ProposalFactory.CreatedAt(stored)).TotalSeconds));

            await announcer.EventAsync(stored, ScaleEventReasons.ScaleProposalApproved,
                $"approved by {string.Join(", ", stored.Status.Approvals.Select(a => $"{a.User} ({a.Channel})"))}", warning: false, cancellationToken);
        }
    }

    private ApprovalResult Log(ApprovalCommand command, ApprovalResult result)
    {
        logger.ApprovalHandled(command.User, command.Channel.ToString(), command.Namespace, command.ProposalName, result.Kind.ToString(), result.Message);
        return result;
    }
}
