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
    public void Check_PolicyInObserveMode_RefusedNamingTheMode()
    {
        var observing = TestPolicies.WithSpec(Policy(), s => s with { Mode = ScaleMode.Observe });

        var verdict = UndoRules.Check(Applied20To60(), observing, Workload(60), null, "alice", Later, Window);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Contains("is in mode Observe", verdict.Message, StringComparison.Ordinal);
    }

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
    public void Check_UndoWaitingForApproval_AnApproversUndoTakesItOver()
    {
        var waiting = AppliedUndo() with { Status = new ScaleProposalStatus { Phase = ProposalPhase.Pending } };

        // An undo waits for the approvers; bob is one, so his Undo applies (the caller closes the waiting one); mallory's would be a second request.
        Assert.Equal(OverrideRoute.ApplyNow, UndoRules.Check(Applied20To60(), Policy(), Workload(60), waiting, "bob", Later, Window).Route);
        Assert.Equal(OverrideRoute.Refuse, UndoRules.Check(Applied20To60(), Policy(), Workload(60), waiting, "mallory", Later, Window).Route);

        // Once approved it is being applied: a second undo, even an approver's, would apply it twice.
        var approved = AppliedUndo() with { Status = new ScaleProposalStatus { Phase = ProposalPhase.Approved } };
        Assert.Equal(OverrideRoute.Refuse, UndoRules.Check(Applied20To60(), Policy(), Workload(60), approved, "bob", Later, Window).Route);
    }

    [Fact]
    public void Check_AlreadyUndoneOrWaiting_Refused()
    {
        var undone = ProposalLifecycle.MarkUndone(Applied20To60(), AppliedUndo(), Later).Proposal;
        var waiting = AppliedUndo() with { Status = new ScaleProposalStatus { Phase = ProposalPhase.Pending } };

        Assert.Contains("already undone by alice", UndoRules.Check(undone, Policy(), Workload(20), AppliedUndo(), "alice", Later, Window).Message, StringComparison.Ordinal);
        Assert.Contains("already waiting for approval", UndoRules.Check(Applied20To60(), Policy(), Workload(60), waiting, "mallory", Later, Window).Message, StringComparison.Ordinal);
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
        Assert.Contains("moved since the undo was asked", ProposalRules.StillHolds(undo, Policy(), Workload(66), 20, Later, StatusRefresh)!, StringComparison.Ordinal);
        Assert.Null(ProposalRules.StillHolds(undo, Policy(), Workload(60), 20, Later, StatusRefresh));
    }

    [Fact]
    public void Withdrawal_ANewerPinApplied_NamesThePinWhoAndWhen()
    {
        var pin = NewerChange("pin", replicas: 80, by: "bob", at: T0.AddMinutes(5));

        var withdrawal = UndoRules.Withdrawal(Applied20To60(), [pin], Workload(80), Later, Window);

        Assert.NotNull(withdrawal);
        Assert.Equal((UndoWithdrawalCause.NewerChange, 80, pin.Metadata.Name, "pin"), (withdrawal.Cause, withdrawal.Replicas, withdrawal.Proposal, withdrawal.Action));
        Assert.Equal(T0.AddMinutes(5), withdrawal.At);
        Assert.Equal("shop/checkout-api moved to 80 by a pin by bob at 10:05:00 UTC", withdrawal.Message);
    }

    [Fact]
    public void Withdrawal_ANewerApprovedProposal_NamesItsApprovers_EvenWhenTheCountCameBack()
    {
        // 20 → 60, then 60 → 20 approved by bob and chen, then back to 60 by hand: the card's Undo (→ 20) no longer takes back "its" change.
        var approved = NewerChange("approval", replicas: 20, by: "bob", at: T0.AddMinutes(5)) is var p
            ? p with { Status = p.Status with { Approvals = [.. p.Status.Approvals, new ApprovalRecord { User = "chen", Replicas = 20 }] } }
            : null!;

        var withdrawal = UndoRules.Withdrawal(Applied20To60(), [approved], Workload(60), Later, Window);

        Assert.Equal($"shop/checkout-api moved to 20 by {approved.Metadata.Name}, approved by bob, chen at 10:05:00 UTC", withdrawal!.Message);
    }

    [Fact]
    public void Withdrawal_ScaledOutsideScaleControl_SaysSoWithTheCountAndWhenSeen()
    {
        var withdrawal = UndoRules.Withdrawal(Applied20To60(), [], Workload(64), Later, Window);

        Assert.Equal((UndoWithdrawalCause.WorkloadMoved, 64, Later), (withdrawal!.Cause, withdrawal.Replicas, withdrawal.At));
        Assert.Equal("shop/checkout-api moved to 64 outside ScaleControl (kubectl scale, an HPA or another controller), seen at 10:10:00 UTC", withdrawal.Message);
    }

    [Fact]
    public void Withdrawal_WindowPassed_EndsAtApplyPlusTheWindow()
    {
        var withdrawal = UndoRules.Withdrawal(Applied20To60(), [], Workload(60), T0.AddHours(3), Window);

        Assert.Equal((UndoWithdrawalCause.WindowEnded, T0.AddSeconds(10) + Window), (withdrawal!.Cause, withdrawal.At));
        Assert.StartsWith("the undo window ended at 12:00:10 UTC", withdrawal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Withdrawal_NothingChanged_OrWorkloadUnread_OrItsOwnUndo_OrUndone_None()
    {
        var ownUndo = AppliedUndo() with
        {
            Metadata = AppliedUndo().Metadata with
            {
                Labels = new Dictionary<string, string> { [ProposalFactory.ActionLabel] = "undo" },
                Annotations = new Dictionary<string, string> { [ProposalFactory.UndoOfAnnotation] = Applied20To60().Metadata.Name },
            },
            Spec = AppliedUndo().Spec with { Target = Applied20To60().Spec.Target },
            Status = AppliedUndo().Status with { AppliedAt = T0.AddMinutes(5) },
        };
        var undone = ProposalLifecycle.MarkUndone(Applied20To60(), AppliedUndo(), Later).Proposal;

        Assert.Null(UndoRules.Withdrawal(Applied20To60(), [], Workload(60), Later, Window));
        Assert.Null(UndoRules.Withdrawal(Applied20To60(), [], null, Later, Window)); // fail static: no reading, no withdrawal
        Assert.Null(UndoRules.Withdrawal(Applied20To60(), [ownUndo], Workload(20), Later, Window)); // UndoCompletion marks it undone instead
        Assert.Null(UndoRules.Withdrawal(undone, [], Workload(20), T0.AddHours(3), Window));
    }

    [Fact]
    public void WithdrawUndo_Recorded_CardStopsOffering_TapRefusedWithTheSameWords()
    {
        var withdrawal = UndoRules.Withdrawal(Applied20To60(), [], Workload(64), Later, Window)!;

        var withdrawn = ProposalLifecycle.WithdrawUndo(Applied20To60(), withdrawal, Later);
        var again = ProposalLifecycle.WithdrawUndo(withdrawn.Proposal, withdrawal, Later);

        Assert.True(withdrawn.Accepted);
        Assert.Equal(ProposalPhase.Applied, withdrawn.Proposal.Status.Phase);
        Assert.Equal($"undo no longer offered: {withdrawal.Message}", withdrawn.Proposal.Status.Message);
        Assert.Equal(TransitionStatus.Duplicate, again.Status);
        Assert.NotNull(UndoRules.Offered(withdrawn.Proposal, Later, Window));
        Assert.Null(UndoRules.Withdrawal(withdrawn.Proposal, [], Workload(70), Later, Window)); // once
        // Even if the count came back, a phone still showing the old card gets the recorded reason.
        var verdict = UndoRules.Check(withdrawn.Proposal, Policy(), Workload(60), null, "alice", Later, Window);
        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Equal($"undo is no longer offered: {withdrawal.Message}", verdict.Message);
    }

    [Fact]
    public void Check_ANewerChangeAppliedButNotYetRecorded_RefusedLive()
    {
        var auto = NewerChange("auto", replicas: 60, by: ProposalLifecycle.SystemUser, at: T0.AddMinutes(5));

        var verdict = UndoRules.Check(Applied20To60(), Policy(), Workload(60), null, "alice", Later, Window, newer: auto);

        Assert.Equal(OverrideRoute.Refuse, verdict.Route);
        Assert.Equal($"the workload has moved on since: shop/checkout-api moved to 60 by an automatic scale ({auto.Metadata.Name}) at 10:05:00 UTC; "
            + "undo only takes back the latest change", verdict.Message);
    }

    [Fact]
    public void NewerChange_TheNewestAppliedAfterIt_OfTheSameWorkloadOnly()
    {
        var original = Applied20To60();
        var earlier = NewerChange("pin", 30, "bob", T0);
        var first = NewerChange("pin", 70, "bob", T0.AddMinutes(1));
        var newest = NewerChange("auto", 75, "scalecontrol", T0.AddMinutes(2));
        var otherWorkload = NewerChange("pin", 9, "bob", T0.AddMinutes(3)) is var o
            ? o with { Spec = o.Spec with { Target = o.Spec.Target with { Name = "cart-api" } } }
            : null!;
        var pending = Pending();

        Assert.Same(newest, UndoRules.NewerChange(original, [original, earlier, first, newest, otherWorkload, pending]));
        Assert.Null(UndoRules.NewerChange(original, [original, earlier, otherWorkload, pending]));
    }

    [Fact]
    public void Withdrawal_ALaterRowOfTheSameCard_IsTheCardsOwnStep_NotAMoveOn()
    {
        // A group card with two steps of checkout-api (20 → 60, then 60 → 80): "Undo all" goes back through both, so the
        // later row neither withdraws the first's Undo nor makes the workload's 80 a move by someone else.
        var card = new CardReference { OutTrackId = "shop.checkout-api-first" };
        var first = Applied20To60() with { Status = Applied20To60().Status with { Card = card } };
        var second = NewerChange("approval", 80, "bob", T0.AddMinutes(5)) is var p ? p with { Status = p.Status with { Card = card } } : null!;
        var undoOfSecond = NewerChange("undo", 60, "alice", T0.AddMinutes(8)) is var u
            ? u with { Metadata = u.Metadata with { Annotations = new Dictionary<string, string> { [ProposalFactory.UndoOfAnnotation] = second.Metadata.Name } } }
            : null!;

        Assert.Null(UndoRules.NewerChange(first, [first, second, undoOfSecond]));
        Assert.Null(UndoRules.Withdrawal(first, [first, second], Workload(80), Later, Window));
        Assert.Null(UndoRules.Withdrawal(first, [first, second, undoOfSecond], Workload(60), Later, Window)); // Undo all under way
        Assert.Equal(UndoWithdrawalCause.WorkloadMoved, UndoRules.Withdrawal(first, [first, second], Workload(90), Later, Window)!.Cause);
        Assert.Equal(UndoWithdrawalCause.NewerChange,
            UndoRules.Withdrawal(first, [first, second, NewerChange("pin", 90, "bob", T0.AddMinutes(9))], Workload(90), Later, Window)!.Cause);
    }

    /// <summary>A change of checkout-api applied at <paramref name="at"/>: a pin or undo by <paramref name="by"/>, or a proposal they approved.</summary>
    private static ScaleProposal NewerChange(string action, int replicas, string by, DateTimeOffset at) => new()
    {
        Metadata = new ObjectMeta
        {
            Namespace = "shop",
            Name = $"checkout-api-{action}-{at:HHmmss}",
            Labels = new Dictionary<string, string> { [ProposalFactory.ActionLabel] = action },
        },
        Spec = new ScaleProposalSpec { Target = Applied20To60().Spec.Target, FromReplicas = 60, ToReplicas = replicas, RequestedBy = action is "pin" or "undo" ? by : ProposalLifecycle.SystemUser },
        Status = new ScaleProposalStatus
        {
            Phase = ProposalPhase.Applied,
            AppliedReplicas = replicas,
            AppliedAt = at,
            Approvals = [new ApprovalRecord { User = by, Channel = ApprovalChannel.DingTalk, At = at, Replicas = replicas }],
        },
    };
}
