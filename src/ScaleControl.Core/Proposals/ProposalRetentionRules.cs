namespace ScaleControl.Core.Proposals;

/// <summary>Which retention rule removes a finished proposal.</summary>
public enum PruneReason
{
    /// <summary>It finished more than <c>MaxAgeDays</c> ago.</summary>
    MaxAge,

    /// <summary>Its policy has at least <c>MaxPerPolicy</c> newer finished proposals.</summary>
    MaxPerPolicy,
}

public sealed record PruneCandidate(ScaleProposal Proposal, PruneReason Reason);

/// <summary>The retention rules as a pure function over the proposals a pass read.</summary>
public static class ProposalRetentionRules
{
    /// <summary>
    /// The finished proposals to delete, oldest first: those that finished before <c>now - maxAge</c>, and those beyond
    /// the newest <paramref name="maxPerPolicy"/> finished ones of the same policy (namespace + <c>spec.policyName</c>).
    /// Open proposals are never chosen, nor counted against the cap. When both rules apply, age is the reason given.
    /// </summary>
    public static IReadOnlyList<PruneCandidate> Select(IEnumerable<ScaleProposal> proposals, DateTimeOffset now, TimeSpan maxAge, int maxPerPolicy)
    {
        var cutoff = now - maxAge;
        return [.. proposals
            .Where(p => !p.Status.Phase.IsOpen())
            .GroupBy(p => (p.Metadata.Namespace, p.Spec.PolicyName))
            .SelectMany(policy => policy
                .OrderByDescending(ProposalFactory.CreatedAt)
                .ThenByDescending(p => p.Metadata.Name, StringComparer.Ordinal)
                .Select((p, newerCount) => FinishedAt(p) < cutoff ? new PruneCandidate(p, PruneReason.MaxAge)
                    : newerCount >= maxPerPolicy ? new PruneCandidate(p, PruneReason.MaxPerPolicy)
                    : null))
            .OfType<PruneCandidate>()
            .OrderBy(c => ProposalFactory.CreatedAt(c.Proposal))];
    }

    /// <summary>When the proposal reached its final phase. Age counts from there, so a recent outcome stays in the history.</summary>
    public static DateTimeOffset FinishedAt(ScaleProposal proposal) =>
        proposal.Status.History.LastOrDefault()?.At ?? ProposalFactory.CreatedAt(proposal);
}
