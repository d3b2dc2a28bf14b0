using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>Undo takes an applied change back through the override rules, and refuses with a reason when it cannot.</summary>
public class UndoRulesTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(2);
    private static readonly DateTimeOffset Later = T0.AddMinutes(10);

    private static ScaleProposal Applied20To60() => InPhase(ProposalPhase.Applied); // applied at T0+10 s

    [Fact]
    public void Check_ApproverOnRoster_AppliesNowBackToTheStart()
    {
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.ApplyNow, verdict.Route);
    }

    [Fact]
    public void Check_ANewerProposalAsksForMore_RefusedAsTheTrafficMovedOn()
    {
        // Live: Undo all on the storm's first card took feed-api 7 → 3 while a newer card asked 7 → 10; the loop asked
        // 3 → 9 four seconds later.
        var further = Pending(decision: Decision(from: 60, to: 80));

        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", Later, Window, further);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Equal($"the traffic moved on: proposal {further.Metadata.Name} asks 60 → 80 now and waits for approval; undo would go back to 20. "
            + "Reject that proposal first, or choose a count with scalectl scale", verdict.Message);
    }

    [Fact]
    public void Check_APendingProposalTheSameWayAsTheUndo_DoesNotStopIt()
    {
        // A scale-down waiting (the traffic ebbing) agrees with going back: the undo goes ahead (and supersedes it).
        var ebbing = Pending(decision: Decision(from: 60, to: 40));

        Assert.Equal(OverrideRoute.ApplyNow, UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", Later, Window, ebbing).Route);
    }

    [Fact]
    public void Check_NotOnRoster_BecomesAProposal()
    {
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "mallory", Later, Window);

        Assert.Equal(OverrideRoute.Propose, verdict.Route);
        Assert.Contains("not an approver", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WorkloadMovedSince_RefusedAsStale()
    {
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(64), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Equal("the workload has moved since: it runs 64 now, the change left 60; undo only takes back the latest change", verdict.Message);
    }

    [Fact]
    public void Check_StartOutsideTodaysBounds_Refused()
    {
        var policy = TestPolicies.WithSpec(Policy(), s => s with { MinReplicas = 30 });

        var verdict = UndoRules.Check(Applied20To60(), policy, Workload(60), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.StartsWith("20 is outside the policy's bounds 30..", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Frozen_Refused()
    {
        var policy = TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = Later.AddHours(1), Reason = "gala", By = "bob" } });

        var verdict = UndoRules.Check(Applied20To60(), policy, Workload(60), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Contains("frozen until", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OutsideTheWindow_Refused()
    {
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", T0.AddHours(3), Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Contains("undo is offered for 120 minutes", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AlreadyUndoneOrWaiting_Refused()
    {
        var undone = ProposalLifecycle.MarkUndone(Applied20To60(), AppliedUndo(), Later).Proposal;
        var waiting = AppliedUndo() with { Status = new ScaleProposalStatus { Phase = ProposalPhase.Pending } };

        Assert.Contains("already undone by alice", UndoRules.Check(undone, Policy(), Workload(20), AppliedUndo(), "alice", Later, Window).Message, StringComparison.Ordinal);
        Assert.Contains("already waiting for approval", UndoRules.Check(Applied20To60(), Policy(), Workload(60), waiting, "bob", Later, Window).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NotApplied_Refused()
    {
        var verdict = UndoRules.Check(InPhase(ProposalPhase.Rejected), Policy(), Workload(20), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Contains("only an applied change can be undone", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MarkUndone_HoldsLikeAReject_SameStepNotProposedAgainWithinTheBackoff()
    {
        var undone = ProposalLifecycle.MarkUndone(Applied20To60(), AppliedUndo(), Later).Proposal;

        var hold = ProposalRules.Hold(undone, Policy(), Decision(from: 20, to: 60), Later.AddMinutes(1));

        Assert.NotNull(hold);
        Assert.StartsWith("held after alice undid 20 → 60", hold.Describe(), StringComparison.Ordinal);
        Assert.Null(ProposalRules.Hold(undone, Policy(), Decision(from: 20, to: 80), Later.AddMinutes(1)));
    }

    [Fact]
    public void ForUndo_ByAnApprover_ApprovedByThemFromNowBackToTheStart()
    {
        var order = new UndoOrder("shop", "checkout-api-x", "alice", ApprovalChannel.DingTalk, "too many pods");
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", Later, Window);

        var undo = ProposalFactory.ForUndo(Policy(), Workload(60), Applied20To60(), order, verdict, Later);

        Assert.Equal((60, 20), (undo.Spec.FromReplicas, undo.Spec.ToReplicas));
        Assert.Equal(ProposalPhase.Approved, undo.Status.Phase);
        Assert.Equal(ProposalFactory.Action.Undo, ProposalFactory.ActionOf(undo));
        Assert.Equal(Applied20To60().Metadata.Name, undo.Metadata.Annotations![ProposalFactory.UndoOfAnnotation]);
        var approval = Assert.Single(undo.Status.Approvals);
        Assert.Equal(("alice", ApprovalChannel.DingTalk), (approval.User, approval.Channel));
        Assert.Contains("too many pods", undo.Spec.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StillHolds_UndoAfterTheWorkloadMoved_Refused()
    {
        var order = new UndoOrder("shop", "x", "mallory", ApprovalChannel.Api, "why");
        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "mallory", Later, Window);
        var undo = ProposalFactory.ForUndo(Policy(), Workload(60), Applied20To60(), order, verdict, Later);

        Assert.Equal(ProposalPhase.Pending, undo.Status.Phase);
        Assert.Contains("moved since the undo was asked", ProposalRules.StillHolds(undo, Policy(), Workload(66), 20, Later)!, StringComparison.Ordinal);
        Assert.Null(ProposalRules.StillHolds(undo, Policy(), Workload(60), 20, Later));
    }
}
