using ScaleControl.Core.Decisions;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// The scale changes a ScaleProposal records as applied — each applied part of a partly approved proposal
/// (<see cref="ScaleProposalStatus.AppliedSteps"/>), then its final apply — each with its <see cref="ChangeSource"/>.
/// The proposals are the durable record of every change, whichever replica applied it: the leader's history learns
/// from them what it did not apply itself.
/// </summary>
public static class AppliedChanges
{
    /// <summary>How many applied changes the proposal records (a cheap check: no change is built).</summary>
    public static int Count(ScaleProposal proposal) =>
        proposal.Status.AppliedSteps.Count + (IsFinallyApplied(proposal.Status) ? 1 : 0);

    /// <summary>The proposal's applied changes, oldest first.</summary>
    public static IEnumerable<ScaleChange> Of(ScaleProposal proposal)
    {
        var steps = proposal.Status.AppliedSteps;
        for (var i = 0; i < steps.Count; i++)
        {
            yield return new ScaleChange(steps[i].At, steps[i].From, steps[i].To, new ChangeSource(proposal.Metadata.Name, i));
        }

        if (proposal.Status is { AppliedAt: { } at, AppliedReplicas: { } to } && IsFinallyApplied(proposal.Status))
        {
            var from = steps.Count > 0 ? steps[^1].To : proposal.Spec.FromReplicas;
            yield return new ScaleChange(at, from, to, new ChangeSource(proposal.Metadata.Name, steps.Count));
        }
    }

    /// <summary>The source of the change an apply of <paramref name="claimed"/> makes: the one after those it records already.</summary>
    public static ChangeSource SourceOfApply(ScaleProposal claimed) => new(claimed.Metadata.Name, claimed.Status.AppliedSteps.Count);

    private static bool IsFinallyApplied(ScaleProposalStatus status) =>
        status is { Phase: ProposalPhase.Applied, AppliedAt: not null, AppliedReplicas: not null };
}
