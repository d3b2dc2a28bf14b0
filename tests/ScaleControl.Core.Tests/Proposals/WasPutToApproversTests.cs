using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>Which proposals were sent to the approvers as a card: the card reconciler looks for such a card when its record was lost.</summary>
public class WasPutToApproversTests
{
    [Theory]
    [InlineData(ProposalPhase.Pending)]
    [InlineData(ProposalPhase.Applied)]
    [InlineData(ProposalPhase.Rejected)]
    [InlineData(ProposalPhase.Expired)]
    [InlineData(ProposalPhase.Superseded)]
    [InlineData(ProposalPhase.Failed)]
    public void TheLoopsProposal_InAnyPhase_WasPutToApprovers(ProposalPhase phase) =>
        Assert.True(ProposalFactory.WasPutToApprovers(ProposalFixtures.InPhase(phase)));

    [Fact]
    public void AnOrderItsRequesterApprovedAsTheyGaveIt_WasNot()
    {
        var ordered = ProposalLifecycle.Pin(ProposalFixtures.Pending(requestedBy: "alice"), "alice", ProposalFixtures.T0, "pinned at 60 by alice").Proposal;

        Assert.False(ProposalFactory.WasPutToApprovers(ordered));
    }

    [Fact]
    public void ARequestSomeoneElseApproved_Was()
    {
        var requested = ProposalFixtures.Pending(requestedBy: "zhao");
        var approved = ProposalLifecycle.Approve(requested, "alice", ApprovalChannel.DingTalk, ProposalFixtures.T0.AddSeconds(30)).Proposal;

        Assert.Equal(ProposalPhase.Approved, approved.Status.Phase);
        Assert.True(ProposalFactory.WasPutToApprovers(approved));
    }

    [Fact]
    public void AnAutomaticStep_WasNot()
    {
        var auto = ProposalFactory.FromDecision(ProposalFixtures.Policy(), ProposalFixtures.Decision(), ProposalFixtures.Workload(), ProposalFixtures.T0, ProposalFactory.Action.Auto);

        Assert.False(ProposalFactory.WasPutToApprovers(auto));
    }
}
