namespace ScaleControl.Core.Proposals;

/// <summary>
/// One living message per burst of automatic steps. A hot event ramps an Automatic policy 4 → 7 → 12 → 15 in a few
/// minutes; posting "scaled automatically" per step (and per service of a chain) buried the group. Instead an
/// automatic step joins the card of the workload's (or its policy group's) previous automatic steps when the newest of
/// them is at most <c>window</c> old, and that card is updated in place; a step after a quiet spell starts a new card.
/// Kubernetes Events stay one per step: they are the audit trail.
/// </summary>
public static class AutoNoticeRules
{
    /// <summary>The default of <c>ScaleControl:Loop:AutoNoticeWindowSeconds</c>.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(30);

    /// <summary>Steps one card holds; the next starts a new card (a card's values are capped at 1 KB each).</summary>
    public const int MaxStepsPerCard = 12;

    /// <summary>
    /// The delivered card <paramref name="step"/> (a new automatic proposal) joins, or null when it starts a new one:
    /// the card in <paramref name="destination"/> of the newest automatic step of the same workload, or of the same
    /// policy group, applied at most <paramref name="window"/> before <paramref name="now"/>, with room for another step.
    /// </summary>
    public static CardReference? CardToJoin(ScaleProposal step, IEnumerable<ScaleProposal> existing, string? destination, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(destination))
        {
            return null;
        }

        var cards = existing
            .Where(p => p.Key != step.Key && ProposalFactory.ActionOf(p) == ProposalFactory.Action.Auto
                && CardState.IsDeliveredTo(p, destination))
            .GroupBy(p => p.Status.Card!.OutTrackId, StringComparer.Ordinal)
            .Select(g => (Rows: g.ToList(), Newest: g.Max(StepTime)))
            .OrderByDescending(c => c.Newest);
        foreach (var (rows, newest) in cards)
        {
            if (!rows.Any(r => SameBurst(step, r)))
            {
                continue;
            }

            // The newest related card decides: an older one is never reopened.
            return now - newest <= window && rows.Count < MaxStepsPerCard ? rows[0].Status.Card! with { ShownState = null } : null;
        }

        return null;
    }

    /// <summary>
    /// The steps of <paramref name="step"/>'s burst whose card never arrived (DingTalk down during the storm, a replica
    /// stopped before the send), oldest first and at most a card's worth, to be delivered now as one card; empty when
    /// nothing is due. They are the applied automatic steps of the same workload or policy group (as in
    /// <see cref="CardToJoin"/>), at most <paramref name="window"/> old, whose card has an error, after the newest
    /// step with a card delivered into <paramref name="destination"/>: that card is the burst's, the steps before it
    /// are left as they are. Nothing is due while a step of the burst holds no record of its card yet (its own send
    /// may be on its way; the reconciler records a "no card" for it after its grace).
    /// </summary>
    /// <param name="existing">All proposals, <paramref name="step"/> included.</param>
    public static IReadOnlyList<ScaleProposal> UndeliveredBurst(ScaleProposal step, IEnumerable<ScaleProposal> existing, string destination, DateTimeOffset now, TimeSpan window)
    {
        var burst = existing
            .Where(p => ProposalFactory.ActionOf(p) == ProposalFactory.Action.Auto && SameBurst(step, p) && now - StepTime(p) <= window)
            .ToList();
        if (burst.Any(p => p.Status is { Card: null, Phase: ProposalPhase.Approved or ProposalPhase.Applying or ProposalPhase.Applied }))
        {
            return [];
        }

        var delivered = burst
            .Where(p => CardState.IsDeliveredTo(p, destination))
            .Select(StepTime)
            .DefaultIfEmpty(DateTimeOffset.MinValue)
            .Max();
        return [.. burst
            .Where(p => p.Status is { Phase: ProposalPhase.Applied, Card.Error: not null } && StepTime(p) > delivered)
            .OrderBy(StepTime)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .Take(MaxStepsPerCard)];
    }

    /// <summary>Whether <paramref name="other"/> is a step of the same workload as <paramref name="step"/>, or of its policy group.</summary>
    private static bool SameBurst(ScaleProposal step, ScaleProposal other) =>
        ProposalRules.TargetKey(ProposalFactory.TargetOf(other)) == ProposalRules.TargetKey(ProposalFactory.TargetOf(step))
        || (step.Spec.Group is { } group && other.Spec.Group == group);

    /// <summary>When a step happened: applied, else created.</summary>
    public static DateTimeOffset StepTime(ScaleProposal step) => step.Status.AppliedAt ?? ProposalFactory.CreatedAt(step);

    /// <summary>
    /// A workload's replicas through the steps on a card, oldest first: "4 → 7 → 12 → 15". A step that failed adds
    /// nothing; where a step started elsewhere than the last one ended (someone scaled by hand between), both show.
    /// </summary>
    public static IReadOnlyList<int> Ramp(IReadOnlyList<ScaleProposal> steps)
    {
        var ramp = new List<int>();
        foreach (var step in steps)
        {
            if (step.Status is not { Phase: ProposalPhase.Applied, AppliedReplicas: { } applied })
            {
                continue;
            }

            if (ramp.Count == 0 || ramp[^1] != step.Spec.FromReplicas)
            {
                ramp.Add(step.Spec.FromReplicas);
            }

            if (ramp[^1] != applied)
            {
                ramp.Add(applied);
            }
        }

        return ramp;
    }
}
