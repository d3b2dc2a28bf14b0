using System.Diagnostics.CodeAnalysis;
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
        Governs(policy, proposal) ? policy.Spec.Approval?.Approvers ?? [] : proposal.Spec.Approvers;

    /// <summary>
    /// The approvers on <paramref name="policy"/>'s roster now that the card does not call: not on it when it was sent (its
    /// saved approvers), nor mentioned since (<see cref="ScaleProposalStatus.RosterMentions"/>), or dropped since and added
    /// back. Empty unless the proposal waits on a delivered card put to approvers (an automatic step's card calls nobody)
    /// and the policy governs it (otherwise nothing newer than the card says who approves).
    /// </summary>
    public static IReadOnlyList<string> NotYetMentioned(ScaleProposal proposal, ScalePolicy? policy)
    {
        if (!CallsApprovers(proposal) || !Governs(policy, proposal))
        {
            return [];
        }

        var mentioned = Called(proposal).ToHashSet(StringComparer.Ordinal);
        return [.. (policy.Spec.Approval?.Approvers ?? []).Where(mentioned.Add)];
    }

    /// <summary>
    /// The people the card calls who are off <paramref name="policy"/>'s roster now: its on-call line should stop naming
    /// them (they may no longer decide it). Empty unless the proposal waits on a delivered card put to approvers, and
    /// unless the policy is there, readable and governs the workload: without it nothing says who was dropped.
    /// </summary>
    public static IReadOnlyList<string> Dropped(ScaleProposal proposal, ScalePolicy? policy)
    {
        if (!CallsApprovers(proposal) || !Governs(policy, proposal))
        {
            return [];
        }

        var rosterNow = policy.Spec.Approval?.Approvers ?? [];
        return [.. Called(proposal).Where(user => !rosterNow.Contains(user, StringComparer.Ordinal))];
    }

    /// <summary>
    /// Who the card calls now: the approvers it was sent to, then those added to the roster and @-mentioned since, less
    /// those dropped since (a person's latest record stands).
    /// </summary>
    public static IEnumerable<string> Called(ScaleProposal proposal)
    {
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in proposal.Status.RosterMentions)
        {
            _ = record.Dropped ? dropped.Add(record.User) : dropped.Remove(record.User);
        }

        return proposal.Spec.Approvers.Concat(proposal.Status.RosterMentions.Where(m => !m.Dropped).Select(m => m.User))
            .Distinct(StringComparer.Ordinal)
            .Where(user => !dropped.Contains(user));
    }

    /// <summary>Whether <paramref name="policy"/> is there, readable and governs the proposal's workload: only then it says who approves now.</summary>
    private static bool Governs([NotNullWhen(true)] ScalePolicy? policy, ScaleProposal proposal) =>
        policy is not null && policy.Unreadable is null && ProposalRules.NotGovernedBy(proposal, policy) is null;

    /// <summary>Whether the proposal waits on a delivered card put to approvers (an automatic step's card calls nobody).</summary>
    private static bool CallsApprovers(ScaleProposal proposal) =>
        proposal.Status.Phase == ProposalPhase.Pending
        && proposal.Status.Card is { Error: null, SentAt: not null, OpenConversationId.Length: > 0 }
        && ProposalFactory.ActionOf(proposal) != ProposalFactory.Action.Auto;
}
