using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// The pending proposal whose card a group's new or undelivered rows join: same group and on-call group, card
/// delivered, with at least half the row's own expiry left. A row joining takes the card's expiry (one expiry, one
/// DING); storm walkthrough (DingTalk degraded): a row asked 3 s before the card expired joined it and expired unseen
/// 3 s later, so such a row gets a card and an expiry of its own.
/// </summary>
public static class GroupCardLead
{
    public static ScaleProposal? Of(IEnumerable<ScaleProposal> proposals, ScalePolicy policy, DateTimeOffset now) =>
        policy.Spec.Group is not { } group ? null : proposals
            .Where(p => p.Status.Phase == ProposalPhase.Pending && p.Spec.Group == group
                && p.Spec.ExpiresAt - now > TimeSpan.FromSeconds((policy.Spec.Approval?.ExpirySeconds ?? 0) / 2.0)
                && CardState.IsDeliveredTo(p, policy.Spec.Approval?.OpenConversationId))
            .OrderBy(ProposalFactory.CreatedAt)
            .FirstOrDefault();
}
