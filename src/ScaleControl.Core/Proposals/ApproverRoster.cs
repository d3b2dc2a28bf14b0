using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// Who is asked about a waiting proposal: the policy's roster as it is now, not the list saved on the proposal when its
/// card was sent. An approver added since may decide it (<see cref="ApprovalCounting"/>), so the DING and the card's
/// @-mentions reach them too; one dropped since may not, so neither calls them.
/// </summary>
public static class ApproverRoster
{
    /// <summary>
    /// The approvers of <paramref name="proposal"/> now: its policy's roster while the policy is there, readable and
    /// governs the proposal's workload; otherwise the list saved on the proposal (nothing newer vouches for anyone).
    /// </summary>
    public static IReadOnlyList<string> Now(ScaleProposal proposal, ScalePolicy? policy) =>
        policy is null || policy.Unreadable is not null || ProposalRules.NotGovernedBy(proposal, policy) is not null
            ? proposal.Spec.Approvers
            : policy.Spec.Approval?.Approvers ?? [];

    /// <summary>
    /// The approvers on <paramref name="rosterNow"/> that the card never @-mentioned: not on it when it was sent (its saved
    /// approvers), nor mentioned since (<see cref="ScaleProposalStatus.RosterMentions"/>). Empty unless the proposal waits
    /// on a delivered card put to approvers (an automatic step's card calls nobody).
    /// </summary>
    public static IReadOnlyList<string> NotYetMentioned(ScaleProposal proposal, IReadOnlyList<string> rosterNow)
    {
        if (proposal.Status.Phase != ProposalPhase.Pending
            || proposal.Status.Card is not { Error: null, SentAt: not null, OpenConversationId.Length: > 0 }
            || ProposalFactory.ActionOf(proposal) == ProposalFactory.Action.Auto)
        {
            return [];
        }

        var mentioned = Called(proposal).ToHashSet(StringComparer.Ordinal);
        return [.. rosterNow.Where(mentioned.Add)];
    }

    /// <summary>Who the card called: the approvers it was sent to, then those added to the roster and @-mentioned since.</summary>
    public static IEnumerable<string> Called(ScaleProposal proposal) =>
        proposal.Spec.Approvers.Concat(proposal.Status.RosterMentions.Select(m => m.User)).Distinct(StringComparer.Ordinal);
}
