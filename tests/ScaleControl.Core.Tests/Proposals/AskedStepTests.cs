using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// What an approval keeps of the ask it approved: after the proposal is amended in place it is still an ask of this
/// proposal (the approval is genuine) but not the one asked now (it does not count toward it); a step the proposal's
/// record never asked is neither.
/// </summary>
public class AskedStepTests
{
    private static readonly DateTimeOffset s_at = T0.AddSeconds(10);

    [Fact]
    public void AskedBeforeAnAmendment_WasAskedByTheProposal_NotAskedNow()
    {
        var pending = Pending(decision: Decision(to: 40));
        var before = AskedStep.Of(pending.Spec);

        var amended = ProposalLifecycle.Amend(pending, Decision(to: 60), T0.AddSeconds(30)).Proposal;

        Assert.Equal((true, false), (before.IsAskedNowBy(pending), before.WasAskedBy(pending)));
        Assert.Equal((false, true), (before.IsAskedNowBy(amended), before.WasAskedBy(amended)));
        Assert.True(AskedStep.Of(amended.Spec).IsAskedNowBy(amended));
    }

    [Fact]
    public void AStepTheProposalNeverAsked_NeitherAskedNowNorBefore()
    {
        var amended = ProposalLifecycle.Amend(Pending(decision: Decision(to: 40)), Decision(to: 60), T0.AddSeconds(30)).Proposal;
        var elsewhere = AskedStep.Of(amended.Spec) with { To = 90 };
        var otherStart = AskedStep.Of(amended.Spec) with { From = 25 };

        Assert.Equal((false, false), (elsewhere.IsAskedNowBy(amended), elsewhere.WasAskedBy(amended)));
        Assert.Equal((false, false), (otherStart.IsAskedNowBy(amended), otherStart.WasAskedBy(amended)));
    }

    [Fact]
    public void Tally_ApprovalOfAnEarlierAsk_KeptNotCounted_SaysSo()
    {
        var amended = ProposalLifecycle.Amend(Pending(decision: Decision(to: 40)), Decision(to: 60), T0.AddSeconds(30)).Proposal;
        var p = amended with
        {
            Status = amended.Status with { Approvals = [new ApprovalRecord { User = "alice", Channel = ApprovalChannel.DingTalk, At = s_at, Replicas = 40 }] },
        };

        var tally = ApprovalCounting.Tally(p, new ApprovalCountRules(Policy(), _ => ApprovalSeal.EarlierAsk, TimeSpan.FromMinutes(15), s_at));

        Assert.Equal((0, false), (tally.Counted, tally.IsEnough()));
        Assert.Equal([new UncountedApproval { User = "alice", Cause = UncountedCause.EarlierAsk }], tally.NotCounted);
        Assert.Equal("0 of 1 approval (alice approved the step asked before it was amended), one more needed", tally.Describe());
    }
}
