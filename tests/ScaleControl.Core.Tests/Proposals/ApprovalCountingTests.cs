using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// "Enough valid approvals now?" against the policy as it is now: the one rule the tap and the applier's last check
/// ask. Here every record is ScaleControl's own unless a test says otherwise.
/// </summary>
public class ApprovalCountingTests
{
    private static readonly DateTimeOffset s_at = T0.AddSeconds(30);
    private static readonly TimeSpan s_maxAge = TimeSpan.FromMinutes(15);

    [Fact]
    public void Tally_TwoPersonRule_FirstApproverDroppedFromTheRoster_CountsOnlyTheOther_OneMoreNeeded()
    {
        var p = Approved(Pending(decision: Decision(twoPersons: true)), "alice", "bob");

        var tally = ApprovalCounting.Tally(p, Rules(Policy(approvers: ["bob", "chen"])));

        Assert.Equal((1, 2, false), (tally.Counted, tally.Required, tally.IsEnough()));
        Assert.Equal([new UncountedApproval { User = "alice", Cause = UncountedCause.NotAnApprover }], tally.NotCounted);
        Assert.Equal("1 of 2 approvals (alice is no longer an approver), one more needed", tally.Describe());
    }

    [Fact]
    public void Tally_RequiredApprovalsRaisedSinceProposed_PolicyCountApplies()
    {
        var p = Approved(Pending(Policy(required: 1)), "alice");

        var tally = ApprovalCounting.Tally(p, Rules(Policy(required: 2)));

        Assert.Equal((1, 2), (tally.Counted, tally.Required));
        Assert.Equal("1 of 2 approvals, one more needed", tally.Describe());
    }

    [Fact]
    public void Tally_PolicysTwoPersonRuleCoversTheStep_TwoNeeded_WhateverTheProposalSays()
    {
        // Proposed under the rule (20 → 60 is at least 40 replicas), then edited by hand to need one.
        var p = Approved(Pending(decision: Decision(twoPersons: false)), "alice");
        var policy = TestPolicies.WithSpec(Policy(), s => s with { Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveReplicas = 40 } } });

        var tally = ApprovalCounting.Tally(p, Rules(policy));

        Assert.Equal((1, 2), (tally.Counted, tally.Required));
        Assert.Equal("1 of 2 approvals, one more needed", tally.Describe());
    }

    [Fact]
    public void Tally_ReturnToNormal_NeedsOne_UnderTheTwoPersonRule()
    {
        var policy = TestPolicies.WithSpec(Policy(), s => s with { Approval = s.Approval! with { TwoPersonRule = new TwoPersonRule { AboveStepPercent = 50 } } });
        var pending = Pending(decision: Decision(from: 60, to: 20));
        var back = Approved(pending with
        {
            Metadata = pending.Metadata with { Annotations = new Dictionary<string, string> { [ReturnToNormalRules.ReturnOfAnnotation] = "checkout-api-20261125-100000" } },
        }, "alice");

        Assert.Equal(1, ApprovalCounting.Tally(back, Rules(policy)).Required);
        Assert.Equal(2, ApprovalCounting.Tally(Approved(pending, "alice"), Rules(policy)).Required);
    }

    [Fact]
    public void Tally_RecordNotWrittenByScaleControl_NeverCounts()
    {
        var p = Approved(Pending(), "alice");

        var tally = ApprovalCounting.Tally(p, Rules(Policy()) with { Recorded = _ => ApprovalSeal.NotRecorded });

        Assert.Equal(0, tally.Counted);
        Assert.Equal(UncountedCause.NotRecorded, Assert.Single(tally.NotCounted).Cause);
    }

    [Fact]
    public void Tally_ApprovalOlderThanTheMaximumAge_NotCounted()
    {
        var p = Approved(Pending(), "alice");

        var tally = ApprovalCounting.Tally(p, Rules(Policy(), now: s_at + s_maxAge + TimeSpan.FromSeconds(1)));

        Assert.False(tally.IsEnough());
        Assert.Equal("0 of 1 approval (Alice's approval is too old to count), one more needed", tally.Describe(user => user == "alice" ? "Alice" : user));
    }

    [Fact]
    public void Tally_LoopsOwnApprovalOfAProposalPutToApprovers_NotCounted()
    {
        var p = ProposalLifecycle.ApproveAutomatically(Pending(), s_at).Proposal;

        var tally = ApprovalCounting.Tally(p, Rules(Policy()));

        Assert.Equal((0, UncountedCause.NotAnApprover), (tally.Counted, Assert.Single(tally.NotCounted).Cause));
    }

    [Fact]
    public void Tally_EnoughApproversOnTheRosterNow_Enough()
    {
        var p = Approved(Pending(decision: Decision(twoPersons: true)), "alice", "bob", "chen");

        var tally = ApprovalCounting.Tally(p, Rules(Policy(approvers: ["bob", "chen"])));

        Assert.True(tally.IsEnough());
        Assert.Equal("2 of 2 approvals (alice is no longer an approver)", tally.Describe());
    }

    [Fact]
    public void Approve_ShortOfThePolicyNow_RecordedStaysPendingWithTheTally_ThenAnotherApproverCompletesIt()
    {
        var p = Approved(Pending(decision: Decision(twoPersons: true)), "alice");
        var rules = Rules(Policy(approvers: ["bob", "chen"]));

        var second = ProposalLifecycle.Approve(p, "bob", ApprovalChannel.DingTalk, s_at, counting: rules);

        Assert.True(second.Accepted);
        Assert.Equal(ProposalPhase.Pending, second.Proposal.Status.Phase);
        Assert.Equal(["alice", "bob"], second.Proposal.Status.Approvals.Select(a => a.User)); // who tapped stays on the record
        Assert.Equal("approval by bob recorded; 1 of 2 approvals (alice is no longer an approver), one more needed", second.Message);
        Assert.Equal(1, second.Proposal.Status.ApprovalTally!.Counted);

        var third = ProposalLifecycle.Approve(second.Proposal, "chen", ApprovalChannel.Api, s_at, counting: rules);

        Assert.Equal(ProposalPhase.Approved, third.Proposal.Status.Phase);
        Assert.Null(third.Proposal.Status.ApprovalTally);
    }

    [Fact]
    public void Approve_ShortOnlyByTheTaps_SaysSoAsBefore_NoTally()
    {
        var first = ProposalLifecycle.Approve(Pending(Policy(required: 2)), "alice", ApprovalChannel.DingTalk, s_at, counting: Rules(Policy(required: 2)));

        Assert.Equal(ProposalPhase.Pending, first.Proposal.Status.Phase);
        Assert.Equal("approval by alice recorded; 1 more approval(s) needed", first.Message);
        Assert.Null(first.Proposal.Status.ApprovalTally);
    }

    [Fact]
    public void AwaitApprovals_ApplyingShortBeforeExpiry_BackToPendingWithTheTally_ExpiryAndEscalationKept()
    {
        var applying = ProposalLifecycle.StartApplying(ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, s_at).Proposal, s_at).Proposal;
        var tally = ApprovalCounting.Tally(applying, Rules(Policy(approvers: ["bob", "chen"])));

        var waiting = ProposalLifecycle.AwaitApprovals(applying, tally, s_at);

        Assert.Equal(ProposalPhase.Pending, waiting.Proposal.Status.Phase);
        Assert.Equal("not applied: 0 of 1 approval (alice is no longer an approver), one more needed", waiting.Proposal.Status.Message);
        Assert.Equal(tally, waiting.Proposal.Status.ApprovalTally);
        Assert.Equal((applying.Spec.ExpiresAt, applying.Spec.EscalateAt), (waiting.Proposal.Spec.ExpiresAt, waiting.Proposal.Spec.EscalateAt));
        Assert.Single(waiting.Proposal.Status.Approvals);
    }

    [Fact]
    public void AwaitApprovals_AfterExpiry_Refused()
    {
        var applying = ProposalLifecycle.StartApplying(ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, s_at).Proposal, s_at).Proposal;
        var tally = ApprovalCounting.Tally(applying, Rules(Policy(approvers: ["bob"])));

        var late = ProposalLifecycle.AwaitApprovals(applying, tally, applying.Spec.ExpiresAt);

        Assert.Equal(TransitionStatus.Refused, late.Status);
        Assert.Same(applying, late.Proposal);
    }

    private static ApprovalCountRules Rules(ScalePolicy policy, DateTimeOffset? now = null) => new(policy, _ => ApprovalSeal.ThisAsk, s_maxAge, now ?? s_at);

    /// <summary><paramref name="proposal"/> with an approval by each of <paramref name="users"/> on its record (its phase as it was).</summary>
    private static ScaleProposal Approved(ScaleProposal proposal, params string[] users) => proposal with
    {
        Status = proposal.Status with { Approvals = [.. users.Select(user => new ApprovalRecord { User = user, Channel = ApprovalChannel.DingTalk, At = s_at, Replicas = 60 })] },
    };
}
