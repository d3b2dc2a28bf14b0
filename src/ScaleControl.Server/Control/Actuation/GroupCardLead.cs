using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>The pending proposal whose card a group's new or undelivered rows join: same group and on-call group, card delivered, not expired.</summary>
public static class GroupCardLead
{
    public static ScaleProposal? Of(IEnumerable<ScaleProposal> proposals, ScalePolicy policy, DateTimeOffset now) =>
        policy.Spec.Group is not { } group ? null : proposals
            .Where(p => p.Status.Phase == ProposalPhase.Pending && p.Spec.Group == group && now < p.Spec.ExpiresAt
                && p.Status.Card is { Error: null, OutTrackId.Length: > 0 } card && card.OpenConversationId == policy.Spec.Approval?.OpenConversationId)
            .OrderBy(ProposalFactory.CreatedAt)
            .FirstOrDefault();
}
