using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// The escalations one maintenance pass sends, worked out before anything is sent: a card's due rows go together (a
/// group card's rows share one DING); a row joining a card already DINGed takes that record; and the cards going to the
/// same people in the same group with the same DING type are one DING. In a storm of ungrouped cards that is one DING,
/// not one phone call per card. Nothing waits for a later pass: rows due later are a DING of their own.
/// </summary>
public sealed record DueEscalations(IReadOnlyList<DueEscalations.Join> Joins, IReadOnlyList<DueEscalations.Ding> Dings)
{
    /// <summary>Rows of a card whose other rows were DINGed already: they take that record, nothing is sent.</summary>
    public sealed record Join(IReadOnlyList<ScaleProposal> Rows, EscalationRecord Record);

    /// <summary>One DING (or its one fallback reminder card) about <paramref name="Rows"/>, every card's due rows, oldest card first.</summary>
    public sealed record Ding(IReadOnlyList<ScaleProposal> Rows, EscalationSpec Escalation, IReadOnlyList<string> Receivers);

    /// <param name="due">The proposals due for escalation this pass, each with its policy's escalation.</param>
    /// <param name="open">Every open proposal (a card's other rows are among them).</param>
    /// <param name="rosterNow">A row's approvers as its policy lists them now (<see cref="ApproverRoster.Now"/>): who is DINGed when the escalation names nobody.</param>
    public static DueEscalations Of(
        IEnumerable<(ScaleProposal Proposal, EscalationSpec Escalation)> due, IReadOnlyList<ScaleProposal> open, DateTimeOffset now, Func<ScaleProposal, IReadOnlyList<string>> rosterNow)
    {
        var cards = new HashSet<string>(StringComparer.Ordinal);
        var joins = new List<Join>();
        var dings = new List<(string Key, List<ScaleProposal> Rows, EscalationSpec Escalation, IReadOnlyList<string> Receivers)>();
        foreach (var (proposal, escalation) in due)
        {
            var card = proposal.Status.Card?.OutTrackId;
            if (card is not null && !cards.Add(card))
            {
                continue; // this card's rows were taken with an earlier row of it
            }

            List<ScaleProposal> onCard = card is null ? [proposal] : [.. open.Where(p => p.Status.Phase == ProposalPhase.Pending && p.Status.Card?.OutTrackId == card)];
            var rows = onCard.Where(p => p.Status.Escalations.Count == 0 && p.Spec.EscalateAt is { } at && now >= at).ToList();
            if (onCard.SelectMany(p => p.Status.Escalations).FirstOrDefault() is { } earlier)
            {
                joins.Add(new Join(rows, earlier));
                continue;
            }

            var receivers = ReceiversOf(rows, escalation, rosterNow);
            if (receivers.Count == 0)
            {
                continue; // nobody is on the roster now: nobody could decide it, and it waits until it expires
            }

            // The robot is the instance's one robot: same people, same group, same DING type is the same DING.
            var key = string.Join('\n', escalation.DingType, proposal.Status.Card?.OpenConversationId, string.Join(',', receivers.Order(StringComparer.Ordinal)));
            if (dings.FindIndex(d => d.Key == key) is var i and >= 0)
            {
                dings[i].Rows.AddRange(rows);
            }
            else
            {
                dings.Add((key, rows, escalation, receivers));
            }
        }

        return new DueEscalations(joins, [.. dings.Select(d => new Ding(d.Rows, d.Escalation, d.Receivers))]);
    }

    /// <summary>
    /// The policy's escalation receivers, or else everyone who may approve the card's rows now: an approver added since the
    /// card was sent is called too, one dropped since is not.
    /// </summary>
    private static List<string> ReceiversOf(IReadOnlyList<ScaleProposal> rows, EscalationSpec escalation, Func<ScaleProposal, IReadOnlyList<string>> rosterNow) =>
        [.. (escalation.Receivers.Count > 0 ? escalation.Receivers : rows.SelectMany(rosterNow)).Distinct(StringComparer.Ordinal)];
}
