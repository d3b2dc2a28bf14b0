using System.Globalization;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Security;

/// <summary>
/// The leader's last check before it scales: only approvals ScaleControl itself recorded (a valid signature), for
/// people on the policy's roster as it is now (or the loop's own Auto approval, or the requester of a pin on a policy
/// without a roster), recent enough, and enough of them. Anything else — a ScaleProposal written or patched by hand —
/// is refused with the reason.
/// </summary>
public sealed class ApprovalVerification(ApprovalSigner signer, IOptions<ApprovalSigningOptions> options, TimeProvider time)
{
    /// <summary>Null when the approvals hold; otherwise why the proposal must not be applied.</summary>
    public string? Refusal(ScaleProposal proposal, ScalePolicy? policy)
    {
        if (policy is null)
        {
            return null; // the applier's own re-check refuses a proposal whose policy is gone
        }

        var roster = policy.Spec.Approval?.Approvers ?? [];
        var maxAge = TimeSpan.FromSeconds(options.Value.MaxApprovalAgeSeconds);
        var now = time.GetUtcNow();
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var approval in proposal.Status.Approvals)
        {
            if (!signer.Verify(proposal, approval))
            {
                return $"approval by {approval.User} was not recorded by ScaleControl (no valid signature); not applied";
            }

            if (!MayApprove(proposal, roster, approval))
            {
                return $"{approval.User} is not an approver of policy {policy.Metadata.Name}; not applied";
            }

            if (now - approval.At > maxAge)
            {
                return string.Create(CultureInfo.InvariantCulture, $"approval by {approval.User} at {approval.At:u} is older than {maxAge.TotalMinutes:0} minutes; not applied");
            }

            valid.Add(approval.User);
        }

        var required = Math.Max(proposal.Spec.RequiredApprovals, proposal.Spec.RequiresTwoPersons ? 2 : 1);
        if (valid.Count < required)
        {
            return $"{valid.Count} valid approval(s), {required} needed; not applied";
        }

        return null;
    }

    private static bool MayApprove(ScaleProposal proposal, IReadOnlyList<string> roster, ApprovalRecord approval)
    {
        if (approval is { User: ProposalLifecycle.SystemUser, Channel: ApprovalChannel.Auto })
        {
            return ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto;
        }

        if (roster.Contains(approval.User, StringComparer.Ordinal))
        {
            return true;
        }

        // A pin or undo on a policy that names no approvers is its requester's to apply (OverrideRules routed it so).
        return roster.Count == 0 && ProposalFactory.ActionOf(proposal) is ProposalFactory.Action.Pin or ProposalFactory.Action.Undo && approval.User == proposal.Spec.RequestedBy;
    }
}
