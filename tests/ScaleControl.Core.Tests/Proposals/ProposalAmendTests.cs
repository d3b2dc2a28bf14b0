using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>One living proposal per question: amended in place while pending; an approval grants what the approver saw.</summary>
public class ProposalAmendTests
{
    private static ScaleProposal Step(TransitionResult r) => r.Accepted ? r.Proposal : throw new InvalidOperationException(r.Message);

    /// <summary>Proposed 20 → 40 at T0, amended to 60 at T0+30 s.</summary>
    private static ScaleProposal Amended40To60() => Step(ProposalLifecycle.Amend(
        Pending(decision: Decision(to: 40)), Decision(to: 60), T0.AddSeconds(30)));

    [Fact]
    public void Amend_TargetRises_SameProposalNewTargetAndTheChangeRecorded()
    {
        var original = Pending(decision: Decision(to: 40));

        var amended = Amended40To60();

        Assert.Equal(original.Metadata.Name, amended.Metadata.Name);
        Assert.Equal((ProposalPhase.Pending, 20, 60), (amended.Status.Phase, amended.Spec.FromReplicas, amended.Spec.ToReplicas));
        Assert.Equal(original.Spec.ExpiresAt, amended.Spec.ExpiresAt);
        var record = Assert.Single(amended.Status.Amendments);
        Assert.Equal((40, 60, T0.AddSeconds(30)), (record.FromTarget, record.ToTarget, record.At));
        Assert.Equal("updated 2026-11-25 10:00:30Z: 40 → 60", amended.Status.Message);
    }

    [Fact]
    public void AmendmentWaits_TargetAboveALoweredMaxReplicas_AmendsAtOnce_OtherwiseALowerTargetWaits()
    {
        var pending = Pending(decision: Decision(to: 60)); // 20 → 60 at T0, under maxReplicas 100
        var lowered = TestPolicies.WithSpec(Policy(), s => s with { MaxReplicas = 50 });
        var soon = T0.AddSeconds(5);

        Assert.True(ProposalRules.AmendmentWaits(Policy(), pending, Decision(to: 50), soon)); // a lower need waits for the window
        Assert.False(ProposalRules.AmendmentWaits(lowered, pending, Decision(to: 50), soon)); // 60 can never apply under 50
    }

    [Fact]
    public void Amend_OtherDirectionOrOtherStart_RefusedSoTheLoopSupersedes()
    {
        var pending = Pending(decision: Decision(to: 40));

        Assert.Equal(TransitionStatus.Refused, ProposalLifecycle.Amend(pending, Decision(from: 20, to: 10), T0).Status);
        Assert.Equal(TransitionStatus.Refused, ProposalLifecycle.Amend(pending, Decision(from: 25, to: 60), T0).Status);
        Assert.Equal(TransitionStatus.Refused, ProposalLifecycle.Amend(InPhase(ProposalPhase.Approved), Decision(to: 80), T0).Status);
    }

    [Fact]
    public void Approve40_TargetRoseTo60_40AppliedAnd20StayPendingOnTheSameProposal()
    {
        var approved = Step(ProposalLifecycle.Approve(Amended40To60(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(40), replicas: 40));

        Assert.Equal(ProposalPhase.Approved, approved.Status.Phase);
        Assert.Equal(40, ProposalLifecycle.ApprovedReplicas(approved.Status.Approvals));
        Assert.True(approved.Status.PartlyApproved);

        var applying = Step(ProposalLifecycle.StartApplying(approved, T0.AddSeconds(41)));
        var rest = Step(ProposalLifecycle.MarkApplied(applying, 40, T0.AddSeconds(42)));

        Assert.Equal((ProposalPhase.Pending, 40, 60), (rest.Status.Phase, rest.Spec.FromReplicas, rest.Spec.ToReplicas));
        Assert.Equal((40, T0.AddSeconds(42)), (rest.Status.AppliedReplicas, rest.Status.AppliedAt));
        Assert.Empty(rest.Status.Approvals);
        Assert.Contains("40 → 60 awaits approval", rest.Status.Message, StringComparison.Ordinal);
        // Who approved the applied part stays on the record (live: the partial apply left no approval, no channel).
        var part = Assert.Single(rest.Status.AppliedSteps);
        Assert.Equal((20, 40, T0.AddSeconds(42)), (part.From, part.To, part.At));
        var approval = Assert.Single(part.Approvals);
        Assert.Equal(("alice", ApprovalChannel.DingTalk, 40, T0.AddSeconds(40)), (approval.User, approval.Channel, approval.Replicas, approval.At));

        // The rest is approved on the same proposal (and card) like any other.
        var all = Step(ProposalLifecycle.Approve(rest, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(50)));
        Assert.Equal(60, ProposalLifecycle.ApprovedReplicas(all.Status.Approvals));
        Assert.False(all.Status.PartlyApproved);
    }

    [Fact]
    public void Approve60_TargetFellTo40_TheLowerNumberIsApplied()
    {
        var fell = Step(ProposalLifecycle.Amend(Pending(decision: Decision(to: 60)), Decision(to: 40), T0.AddSeconds(30)));

        var approved = Step(ProposalLifecycle.Approve(fell, "alice", ApprovalChannel.DingTalk, T0.AddSeconds(40), replicas: 60));

        Assert.Equal(40, ProposalLifecycle.ApprovedReplicas(approved.Status.Approvals));
        Assert.False(approved.Status.PartlyApproved);
        var applied = Step(ProposalLifecycle.MarkApplied(Step(ProposalLifecycle.StartApplying(approved, T0.AddSeconds(41))), 40, T0.AddSeconds(42)));
        Assert.Equal(ProposalPhase.Applied, applied.Status.Phase);
    }

    [Fact]
    public void Approve_ANumberNeverOffered_Refused()
    {
        var result = ProposalLifecycle.Approve(Amended40To60(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(40), replicas: 55);

        Assert.Equal(TransitionStatus.Refused, result.Status);
        Assert.Contains("offers 60", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_StaleHalfStep_GrantedAsTheirOnlyThisMuch_NotKeptPending()
    {
        // 20 → 40 offered half 30; amended to 60; the approver tapped "half (30)" on the old card.
        var approved = Step(ProposalLifecycle.Approve(Amended40To60(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(40), replicas: 30));

        Assert.Equal(30, ProposalLifecycle.ApprovedReplicas(approved.Status.Approvals));
        Assert.False(approved.Status.PartlyApproved);
    }
}
