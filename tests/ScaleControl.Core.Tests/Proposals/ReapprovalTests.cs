using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// An approver on the roster whose approval does not count now — of the step asked before an amendment, too old, or not
/// recorded by ScaleControl — may approve again: it is recorded and counts, the earlier one stays as history, and the
/// answer says why the earlier one did not count; an approval that counts is given once.
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
    public void Approve_OverAnApprovalScaleControlDidNotRecord_RecordedAgain_TheAnswerSaysWhyTheEarlierDidNotCount()
    {
        var (amended, policy) = AliceApprovedThenAmended();
        var forged = new ApprovalCountRules(policy, a => a.At == T0.AddSeconds(40) ? ApprovalSeal.ThisAsk : ApprovalSeal.NotRecorded, s_maxAge, T0.AddSeconds(60));

        var again = ProposalLifecycle.Approve(amended, "alice", ApprovalChannel.DingTalkChat, T0.AddSeconds(40), counting: forged);
        var repeat = ProposalLifecycle.Approve(again.Proposal, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(41), counting: forged);

        Assert.Equal(TransitionStatus.Accepted, again.Status);
        Assert.StartsWith("approved 20 → 60 (the approval of 20 → 40 in your name was not recorded by ScaleControl, so it did not count); approval by alice recorded",
            again.Message, StringComparison.Ordinal);
        Assert.Equal(2, again.Proposal.Status.Approvals.Count);
        Assert.Equal(TransitionStatus.Duplicate, repeat.Status); // the new one counts: given once
    }

    [Fact]
    public void Approve_OverAnApprovalTooOldToCount_RecordedAgain_TheAnswerSaysItWasTooOld()
    {
        var policy = Policy(required: 2);
        var approved = Sealed(Step(ProposalLifecycle.Approve(Pending(policy, Decision(to: 40)), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(10))));
        var later = T0.AddMinutes(2); // past the minute an approval may be old here, before the proposal expires
        var rules = new ApprovalCountRules(policy, _ => ApprovalSeal.ThisAsk, TimeSpan.FromMinutes(1), later);

        var again = ProposalLifecycle.Approve(approved, "alice", ApprovalChannel.Api, later, counting: rules);
        var tally = ApprovalCounting.Tally(again.Proposal, rules);

        Assert.Equal(TransitionStatus.Accepted, again.Status);
        Assert.StartsWith("approved 20 → 40 (your approval of 20 → 40 at 10:00:10Z was too old to count); approval by alice recorded", again.Message, StringComparison.Ordinal);
        Assert.Equal((1, 2), (tally.Counted, tally.Required));
        Assert.Empty(tally.NotCounted); // her old approval is history, not a shortfall: she counts
    }

    [Fact]
    public void Approve_ByOneNoLongerOnTheRoster_OverTheirApprovalThatDoesNotCount_StillAlreadyApproved()
    {
        var policy = Policy(required: 2);
        var approved = Sealed(Step(ProposalLifecycle.Approve(Pending(policy, Decision(to: 40)), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(10))));
        var without = Policy(required: 2, approvers: ["bob", "chen"]);

        var again = ProposalLifecycle.Approve(approved, "alice", ApprovalChannel.Api, T0.AddSeconds(20), counting: new(without, _ => ApprovalSeal.ThisAsk, s_maxAge, T0.AddSeconds(20)));

        Assert.Equal(TransitionStatus.Duplicate, again.Status); // another approval of hers would not count either
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
