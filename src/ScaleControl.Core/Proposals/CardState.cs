using System.Globalization;
using System.Text;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// The proposal is the truth and its card a view: this is the part of a proposal a card shows, as one string.
/// Stored in <see cref="CardReference.ShownState"/> when a card is updated; a proposal whose state differs from what its
/// card last showed has a stale card (a crash between the write and the card update, DingTalk down).
/// </summary>
public static class CardState
{
    public static string Of(ScaleProposal proposal)
    {
        var spec = proposal.Spec;
        var status = proposal.Status;
        var text = new StringBuilder()
            .Append(status.Phase).Append('|')
            .Append(spec.FromReplicas).Append('>').Append(spec.ToReplicas).Append('/').Append(spec.AlternativeReplicas).Append('|')
            .Append(spec.ExpiresAt.ToUnixTimeSeconds()).Append('|')
            .AppendJoin(',', status.Approvals.Select(a => a.User + ":" + a.Replicas.ToString(CultureInfo.InvariantCulture))).Append('|')
            .Append(status.Rejection?.User).Append('|')
            .Append(status.Escalations.Count).Append('|')
            .Append(status.AppliedReplicas).Append('|')
            .Append(status.Message);
        if (status.RosterMentions.Count > 0)
        {
            // the on-call line names those added and no longer those dropped
            text.Append("|+").AppendJoin(',', status.RosterMentions.Select(m => m.Dropped ? "-" + m.User : m.User));
        }

        return text.ToString();
    }

    /// <summary>Whether the proposal's card was delivered into <paramref name="conversation"/>: other rows may join it, a notice may update it.</summary>
    public static bool IsDeliveredTo(ScaleProposal proposal, string? conversation) =>
        proposal.Status.Card is { Error: null, OutTrackId.Length: > 0 } card && card.OpenConversationId == conversation;

    /// <summary>Whether the proposal has a delivered card that does not show its current state.</summary>
    public static bool IsStale(ScaleProposal proposal) =>
        proposal.Status.Card is { Error: null, OutTrackId.Length: > 0 } card && card.ShownState != Of(proposal);

    /// <summary>
    /// A card just sent, recorded as showing <paramref name="sent"/> when it was delivered (an undelivered one shows
    /// nothing): otherwise the reconciler renders it again from a read that may predate a decision made meanwhile.
    /// </summary>
    public static CardReference SentShowing(CardReference card, ScaleProposal sent) =>
        card.Error is null ? card with { ShownState = Of(sent) } : card;

    /// <summary>The proposal recording that its card now shows <paramref name="shown"/>.</summary>
    public static ScaleProposal Shown(ScaleProposal proposal, ScaleProposal shown) =>
        proposal.Status.Card is { } card
            ? proposal with { Status = proposal.Status with { Card = card with { ShownState = Of(shown) } } }
            : proposal;

    /// <summary>
    /// The proposal recording that what its card shows is not known: two renders raced, and either may have landed last.
    /// Stale, so the reconciler renders it again from a fresh read. The value names the version it is written over, so
    /// the write is never a no-op: a render that read an earlier version then fails to record itself.
    /// </summary>
    public static ScaleProposal ShowingUnknown(ScaleProposal proposal) =>
        proposal.Status.Card is { } card
            ? proposal with { Status = proposal.Status with { Card = card with { ShownState = "unknown@" + proposal.Metadata.ResourceVersion } } }
            : proposal;
}
