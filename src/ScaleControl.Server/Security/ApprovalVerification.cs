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

        // The approvals the policy asks for now count too: a proposal asked under a laxer rule (the policy's
        // requiredApprovals raised since, or a ScaleProposal written by hand) gets no fewer than the policy's.
        var required = Math.Max(proposal.Spec.RequiredApprovals, proposal.Spec.RequiresTwoPersons ? 2 : 1);
        if (roster.Count > 0 && ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Auto)
        {
            required = Math.Max(required, policy.Spec.Approval!.RequiredApprovals);
        }

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

        return OnRoster(proposal, roster, approval.User);
    }

    /// <summary>
    /// Whether <paramref name="user"/>'s approval of <paramref name="proposal"/> counts under the policy's roster as it is
    /// now: a listed approver, or the requester of a pin or undo on a policy that names no approvers (OverrideRules
    /// routed it so).
    /// </summary>
    public static bool OnRoster(ScaleProposal proposal, IReadOnlyList<string> roster, string user) =>
        roster.Contains(user, StringComparer.Ordinal)
        || (roster.Count == 0 && ProposalFactory.ActionOf(proposal) is ProposalFactory.Action.Pin or ProposalFactory.Action.Undo && user == proposal.Spec.RequestedBy);
}
