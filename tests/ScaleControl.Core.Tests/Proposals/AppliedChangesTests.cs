using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>A proposal's applied changes, as the histories learn them: each applied part, then the final apply, each with its source.</summary>
public class AppliedChangesTests
{
    private static readonly DateTimeOffset T0 = ProposalFixtures.T0;

    [Fact]
    public void PartlyApprovedThenApplied_IsTwoChangesWithTheirSteps()
    {
        var proposal = Proposal(ProposalPhase.Applied, from: 40, steps: [new AppliedStep { From = 20, To = 40, At = T0.AddMinutes(1) }], appliedAt: T0.AddMinutes(5), applied: 60);

        Assert.Equal(2, AppliedChanges.Count(proposal));
        Assert.Equal(
            [new ScaleChange(T0.AddMinutes(1), 20, 40, new ChangeSource("p", 0)), new ScaleChange(T0.AddMinutes(5), 40, 60, new ChangeSource("p", 1))],
            AppliedChanges.Of(proposal));
    }

    [Fact]
    public void PartlyApprovedAndPendingForTheRest_IsItsAppliedPartOnly_AndTheNextApplyIsStepOne()
    {
        // After a partial approval the proposal is Pending again with appliedAt/appliedReplicas of the part.
        var proposal = Proposal(ProposalPhase.Pending, from: 40, steps: [new AppliedStep { From = 20, To = 40, At = T0.AddMinutes(1) }], appliedAt: T0.AddMinutes(1), applied: 40);

        Assert.Equal(1, AppliedChanges.Count(proposal));
        Assert.Equal([40], AppliedChanges.Of(proposal).Select(c => c.To));
        Assert.Equal(new ChangeSource("p", 1), AppliedChanges.SourceOfApply(proposal));
    }

    [Theory]
    [InlineData(ProposalPhase.Rejected)]
    [InlineData(ProposalPhase.Failed)]
    [InlineData(ProposalPhase.Applying)]
    public void NotApplied_HasNoChange(ProposalPhase phase)
    {
        var proposal = Proposal(phase, from: 20, steps: [], appliedAt: null, applied: null);

        Assert.Equal(0, AppliedChanges.Count(proposal));
        Assert.Empty(AppliedChanges.Of(proposal));
    }

    private static ScaleProposal Proposal(ProposalPhase phase, int from, AppliedStep[] steps, DateTimeOffset? appliedAt, int? applied) => new()
    {
        Metadata = new ObjectMeta { Namespace = "shop", Name = "p" },
        Spec = new ScaleProposalSpec { FromReplicas = from, ToReplicas = 60 },
        Status = new ScaleProposalStatus { Phase = phase, AppliedSteps = steps, AppliedAt = appliedAt, AppliedReplicas = applied },
    };
}
