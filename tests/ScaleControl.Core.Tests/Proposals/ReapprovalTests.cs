using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// An approver whose approval was of the step asked before an amendment may approve the step asked now: it is recorded
/// and counts, the earlier one stays as history; an approval of the ask now is given once.
/// </summary>
public class ReapprovalTests
{
    private static readonly TimeSpan s_maxAge = TimeSpan.FromMinutes(30);

    private static ScaleProposal Step(TransitionResult r) => r.Accepted ? r.Proposal : throw new InvalidOperationException(r.Message);

    /// <summary>What the host's seal does (ApprovalSigner.SignFor): each new approval keeps the ask it approved.</summary>
    private static ScaleProposal Sealed(ScaleProposal p) => p with
    {
        Status = p.Status with { Approvals = [.. p.Status.Approvals.Select(a => a.Asked is null ? a with { Asked = AskedStep.Of(p.Spec), Signature = "sealed" } : a)] },
    };

    /// <summary>A verifying seal: for the ask now, or an earlier one.</summary>
    private static ApprovalCountRules Rules(ScaleProposal p, ScalePolicy policy) =>
        new(policy, a => a.Asked == AskedStep.Of(p.Spec) ? ApprovalSeal.ThisAsk : ApprovalSeal.EarlierAsk, s_maxAge, T0.AddSeconds(60));

    /// <summary>20 → 40 needing two approvals, alice approved it, then it was amended to 20 → 60.</summary>
    private static (ScaleProposal Amended, ScalePolicy Policy) AliceApprovedThenAmended()
    {
        var policy = Policy(required: 2);
        var approved = Sealed(Step(ProposalLifecycle.Approve(Pending(policy, Decision(to: 40)), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(10))));
        return (Step(ProposalLifecycle.Amend(approved, Decision(to: 60), T0.AddSeconds(30))), policy);
    }

    [Fact]
    public void Approve_AgainAfterAnAmendment_RecordedForTheStepNow_TheEarlierKept_TheAnswerSaysBoth()
    {
        var (amended, policy) = AliceApprovedThenAmended();

        var again = ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40), counting: Rules(amended, policy));

        Assert.Equal(TransitionStatus.Accepted, again.Status);
        Assert.Equal("approved 20 → 60 (you had approved 20 → 40 before it was amended); approval by alice recorded; 1 more approval(s) needed",
            again.Message);
        Assert.Equal([(40, ApprovalChannel.DingTalk), (60, ApprovalChannel.DingTalkChat)], again.Proposal.Status.Approvals.Select(a => (a.Replicas, a.Channel)));
        Assert.Equal(ProposalPhase.Pending, again.Proposal.Status.Phase);
    }

    [Fact]
    public void Approve_AgainOfTheStepNow_StillAlreadyApproved_NothingAdded()
    {
        var (amended, policy) = AliceApprovedThenAmended();
        var again = Sealed(Step(ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40), counting: Rules(amended, policy))));

        var third = ProposalLifecycle.Approve(again, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(41), counting: Rules(again, policy));
        var withoutPolicy = ProposalLifecycle.Approve(again, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(41));

        Assert.Equal((TransitionStatus.Duplicate, "alice already approved this proposal; an approval counts once"), (third.Status, third.Message));
        Assert.Equal(TransitionStatus.Duplicate, withoutPolicy.Status);
        Assert.Same(again, third.Proposal);
    }

    [Fact]
    public void Approve_AgainWithoutAPolicyToCountAgainst_TheRecordedAskDecides()
    {
        var (amended, _) = AliceApprovedThenAmended();

        var again = ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40));

        Assert.Equal(TransitionStatus.Accepted, again.Status);
        Assert.Equal(2, again.Proposal.Status.Approvals.Count);
    }

    [Fact]
    public void Approve_OverAnApprovalScaleControlDidNotRecord_StillAlreadyApproved()
    {
        var (amended, policy) = AliceApprovedThenAmended();
        var forged = new ApprovalCountRules(policy, _ => ApprovalSeal.NotRecorded, s_maxAge, T0.AddSeconds(60));

        var again = ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40), counting: forged);

        Assert.Equal(TransitionStatus.Duplicate, again.Status);
    }

    [Fact]
    public void ApprovedAgain_ThenAnotherApprover_ApprovesTheWholeNewStep_TheEarlierApprovalNoLongerHoldsItBack()
    {
        var (amended, policy) = AliceApprovedThenAmended();
        var again = Sealed(Step(ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40), counting: Rules(amended, policy))));

        var both = ProposalLifecycle.Approve(again, "bob", ApprovalChannel.DingTalk, T0.AddSeconds(50), counting: Rules(again, policy));

        Assert.Equal(ProposalPhase.Approved, both.Proposal.Status.Phase);
        Assert.Equal("approved by alice, bob (60 replicas)", both.Message);
        Assert.Equal(60, ProposalLifecycle.ApprovedReplicas(both.Proposal));
        Assert.False(both.Proposal.Status.PartlyApproved);
        var sealedBoth = Sealed(both.Proposal);
        var tally = ApprovalCounting.Tally(sealedBoth, Rules(sealedBoth, policy));
        Assert.Equal((2, 2), (tally.Counted, tally.Required));
        Assert.Empty(tally.NotCounted); // alice's earlier approval is history, not a shortfall
    }

    [Fact]
    public void EarlierApproval_NotFollowedByOneOfTheStepNow_StillHoldsTheAgreedCountDown()
    {
        var (amended, _) = AliceApprovedThenAmended();

        // bob approves 60; alice's approval of 40 stands for her (she did not approve again): the most cautious is 40.
        var withBob = amended with { Status = amended.Status with { Approvals = [.. amended.Status.Approvals, new ApprovalRecord { User = "bob", Replicas = 60 }] } };

        Assert.Equal(40, ProposalLifecycle.ApprovedReplicas(withBob));
    }
}
