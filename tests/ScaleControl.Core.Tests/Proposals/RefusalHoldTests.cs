using ScaleControl.Core.Decisions;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Tests.Decisions;
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
    public void Hold_StepCappedAsk_JudgedByTheNeed_NotTheStep()
    {
        // The step limit caps every new ask from 20 at 60, the refused count: the need behind it decides.
        Assert.Null(ProposalRules.Hold(Rejected20To60(), Policy(), Asking(60) with { NeededReplicas = 90 }, T0.AddMinutes(5)));
        Assert.NotNull(ProposalRules.Hold(Rejected20To60(), Policy(), Asking(60) with { NeededReplicas = 66 }, T0.AddMinutes(5)));
        // A need beyond maxReplicas is only maxReplicas: nothing more could be asked for.
        var max60 = TestPolicies.WithSpec(Policy(), s => s with { MaxReplicas = 60 });
        Assert.NotNull(ProposalRules.Hold(Rejected20To60(), max60, Asking(60) with { NeededReplicas = 90 }, T0.AddMinutes(5)));
    }

    [Fact]
    public void Hold_EngineCappedByMaxStep_DemandFarBeyond_NotHeld()
    {
        // Live: checkout-api rejected at 6 → 26 (capped by max step), then 40 were needed and 78 % of requests failed,
        // yet every new decision was capped at 26 again and the hold said "unless more than 28 are needed".
        var rig = new EngineRig(TestPolicies.WithSpec(Policy(), s => s with { Prediction = s.Prediction with { Enabled = false } })) { Spec = 20, Ready = 20 };
        var decision = rig.Decide(45_000); // 500/pod -> 90, capped by max step max(4 pods, 100%) -> 40
        Assert.Equal(40, decision.DesiredReplicas);
        Assert.Equal(90, decision.NeededReplicas);

        var rejected = ProposalLifecycle.Reject(Pending(decision: Decision(from: 20, to: 40)), "bob", ApprovalChannel.DingTalk, T0, "not now").Proposal;

        Assert.Null(ProposalRules.Hold(rejected, Policy(), decision, T0.AddMinutes(5)));
    }

    [Fact]
    public void HoldOf_TheCardsCount_IsTheLoopsCount()
    {
        // The proposal keeps its policy's tolerance, so the card (HoldOf, no policy at hand) names the loop's 66, not 60.
        Assert.Equal(0.1, Rejected20To60().Spec.Tolerance);
        Assert.Equal(66, ProposalRules.HoldOf(Rejected20To60())!.SizedFor);
        Assert.Equal(66, ProposalRules.Hold(Rejected20To60(), Policy(), Asking(60), T0.AddMinutes(5))!.SizedFor);
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
    public void Hold_UndoneHalfStep_NamesTheChangeUndone_NotTheWholeAsk()
    {
        // Live (storm walkthrough): lisi approved half (2 → 6 of 2 → 11), zhangsan undid it (6 → 2); the status and
        // dashboard then said "held after zhangsan undid 2 → 11", a change that never happened.
        var approved = ProposalLifecycle.Approve(Pending(), "alice", ApprovalChannel.DingTalk, T0.AddSeconds(5), replicas: 40).Proposal;
        var applied = ProposalLifecycle.MarkApplied(ProposalLifecycle.StartApplying(approved, T0.AddSeconds(6)).Proposal, 40, T0.AddSeconds(7)).Proposal;
        var undone = ProposalLifecycle.MarkUndone(applied, AppliedUndo(), T0.AddSeconds(9)).Proposal;

        var hold = ProposalRules.Hold(undone, Policy(), Decision(from: 20, to: 60), T0.AddSeconds(10));

        Assert.NotNull(hold);
        Assert.Contains("held after alice undid 20 → 40 (of 20 → 60 asked):", hold.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hold_FullyAppliedOrExpired_HoldsNothing()
    {
        Assert.Null(ProposalRules.HoldOf(InPhase(ProposalPhase.Applied)));
        Assert.Null(ProposalRules.HoldOf(InPhase(ProposalPhase.Expired)));
    }
}
