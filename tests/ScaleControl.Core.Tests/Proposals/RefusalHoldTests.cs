using ScaleControl.Core.Decisions;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>A "no" holds: after a reject (or a partial approval), the same question is not asked again until the back-off passes or more is needed.</summary>
public class RefusalHoldTests
{
    private static ScaleProposal Rejected20To60() => InPhase(ProposalPhase.Rejected); // bob at T0+10 s, back-off 1800 s

    private static Decision Asking(int to) => Decision(from: 20, to: to);

    [Fact]
    public void Hold_SameQuestionWithinBackoff_Held_UntilAndWhoCanLiftIt()
    {
        var hold = ProposalRules.Hold(Rejected20To60(), Policy(), Asking(60), T0.AddMinutes(5));

        Assert.NotNull(hold);
        Assert.Equal(T0.AddSeconds(10 + 1800), hold.Until);
        Assert.Contains("bob rejected 20 → 60", hold.Describe(), StringComparison.Ordinal);
        // 60 plus the tolerance (10 %): 66 is still held (below), so the status must not promise a proposal above 60.
        Assert.Contains("until 10:30 UTC unless more than 66 replicas are needed", hold.Describe(), StringComparison.Ordinal);
        Assert.Contains("an approver (alice, bob, chen) can lift it", hold.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_WithinTolerance_StillHeld_BeyondWhatWasRefused_Asks()
    {
        Assert.NotNull(ProposalRules.Hold(Rejected20To60(), Policy(), Asking(66), T0.AddMinutes(5)));
        Assert.Null(ProposalRules.Hold(Rejected20To60(), Policy(), Asking(67), T0.AddMinutes(5)));
    }

    [Fact]
    public void Hold_AfterTheBackoff_Lifted() =>
        Assert.Null(ProposalRules.Hold(Rejected20To60(), Policy(), Asking(60), T0.AddSeconds(10 + 1800)));

    [Fact]
    public void Hold_OtherDirection_NotHeld() =>
        Assert.Null(ProposalRules.Hold(Rejected20To60(), Policy(), Decision(from: 20, to: 10), T0.AddMinutes(5)));

    [Fact]
    public void Hold_PartialApprovalHalfStep_HoldsTheRest()
    {
        var approved = ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(5), replicas: 40).Proposal;
        var applied = ProposalLifecycle.MarkApplied(ProposalLifecycle.StartApplying(approved, T0.AddSeconds(6)).Proposal, 40, T0.AddSeconds(7)).Proposal;

        var hold = ProposalRules.Hold(applied, Policy(), Decision(from: 40, to: 60), T0.AddSeconds(9));

        Assert.NotNull(hold);
        Assert.Contains("a partial approval of 20 → 60", hold.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_FullyAppliedOrExpired_HoldsNothing()
    {
        Assert.Null(ProposalRules.HoldOf(InPhase(ProposalPhase.Applied)));
        Assert.Null(ProposalRules.HoldOf(InPhase(ProposalPhase.Expired)));
    }
}
