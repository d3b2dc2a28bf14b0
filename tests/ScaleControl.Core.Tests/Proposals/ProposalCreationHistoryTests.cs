using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Tests.Proposals;

public class ProposalCreationHistoryTests
{
    [Fact]
    public void Create_FirstHistoryRow_IsTheCreationNotPendingToPending()
    {
        var p = ProposalFixtures.Pending(requestedBy: "alice");

        var first = Assert.Single(p.Status.History);
        Assert.Null(first.From);
        Assert.Equal(ProposalPhase.Pending, first.To);
        Assert.Equal("alice", first.By);
        Assert.Equal(ProposalFixtures.T0, first.At);
    }

    [Fact]
    public void Approve_SecondHistoryRow_LeavesPending()
    {
        var approved = ProposalFixtures.InPhase(ProposalPhase.Approved);

        Assert.Equal(ProposalPhase.Pending, approved.Status.History[^1].From);
        Assert.Equal(ProposalPhase.Approved, approved.Status.History[^1].To);
    }
}
