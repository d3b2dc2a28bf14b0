using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// Closes a pending proposal the policy's latest decision no longer asks for (<see cref="ProposalLifecycle.Withdraw"/>),
/// or its policy no longer governs (<see cref="ProposalRules.Ungoverned"/>), at a tap (<see cref="ApprovalService"/>) or by
/// the loop (<see cref="Loop.Reconciler"/>, <see cref="Loop.UngovernedProposals"/>), and records why as an Event on
/// the workload. The caller shows the card.
/// </summary>
public sealed class ProposalWithdrawals(ProposalWriter writer, Announcer announcer, TimeProvider time)
{
    /// <param name="occasion">When it was found, for the Event: "when lisi approved via DingTalk", "by the control loop".</param>
    /// <returns>The withdrawn proposal; null when it was no longer pending.</returns>
    public async Task<ScaleProposal?> WithdrawAsync(ScaleProposal pending, string why, string occasion, CancellationToken cancellationToken)
    {
        var withdrawn = await writer.UpdateAsync(pending, p => ProposalLifecycle.Withdraw(p, why, time.GetUtcNow()).IfAccepted(), cancellationToken);
        if (withdrawn is not null)
        {
            await announcer.EventAsync(withdrawn, ScaleEventReasons.ScaleProposalWithdrawn,
                $"proposal {withdrawn.Metadata.Name} ({withdrawn.Spec.FromReplicas} → {withdrawn.Spec.ToReplicas}) withdrawn {occasion}: {withdrawn.Status.Message}", warning: false, cancellationToken);
        }

        return withdrawn;
    }
}
