using ScaleControl.Core.Capacity;

namespace ScaleControl.Core.Proposals;

/// <summary>
/// What an applied proposal costs when fewer replicas than asked were applied (Approve half): the card, the API and
/// <c>scalectl describe</c> show it beside the ask, labelled, instead of the whole ask's cost as if it were spent.
/// </summary>
public static class AppliedCost
{
    /// <summary>The applied share of the ask's estimate when <paramref name="applied"/> stops short of the target (above where it started); else null.</summary>
    public static CapacityEstimate? Part(ScaleProposalSpec spec, int applied) =>
        applied != spec.ToReplicas && applied > spec.FromReplicas && spec.Capacity is { } asked
            ? CapacityCalculator.Part(asked, applied - spec.FromReplicas)
            : null;

    /// <summary>The recorded applied share of an applied proposal (worked out again for a record written before it was kept).</summary>
    public static CapacityEstimate? Of(ScaleProposal proposal) =>
        proposal.Status is { Phase: ProposalPhase.Applied, AppliedReplicas: { } applied }
            ? proposal.Status.AppliedCapacity ?? Part(proposal.Spec, applied)
            : null;
}
