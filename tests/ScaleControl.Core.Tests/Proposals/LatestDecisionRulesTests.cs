using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// A pending proposal against the policy's latest decision: refused at the tap once the decision no longer supports it
/// (or cannot be trusted), withdrawn by the loop once the decisions say "no change" steadily.
/// </summary>
public class LatestDecisionRulesTests
{
    private readonly FakeTimeProvider _time = new(T0);

    [Fact]
    public void NoLongerNeeded_ScaleUpAndTrafficFellBack_SaysWhatTheLatestDecisionWants()
    {
        var pending = Proposed(); // 20 → 60 at 10:00:00
        _time.Advance(TimeSpan.FromSeconds(10));

        var why = ProposalRules.DecisionNoLongerAsks(pending, Evaluated(Policy(), current: 20, desired: 20, at: _time.GetUtcNow()));

        Assert.Equal("the latest decision wants no scale-up: desired 20 = running 20 (evaluated 10:00:10 UTC)", why);
    }

    [Fact]
    public void NoLongerNeeded_LatestStillAsksForMore_Null()
    {
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(ProposalRules.DecisionNoLongerAsks(Proposed(), Evaluated(Policy(), current: 20, desired: 45, at: _time.GetUtcNow())));
    }

    [Fact]
    public void NoLongerNeeded_StatusWrittenBeforeTheProposal_TheProposalIsTheLatestDecision_Null()
    {
        // The loop writes the status after it proposes: a tap in between must not read the decision before as newer.
        Assert.Null(ProposalRules.DecisionNoLongerAsks(Proposed(), Evaluated(Policy(), current: 20, desired: 20, at: T0.AddSeconds(-5))));
    }

    [Fact]
    public void NoLongerNeeded_ScaleDownAndTrafficCameBack_Refused()
    {
        var pending = Proposed(Decision(from: 60, to: 20));
        _time.Advance(TimeSpan.FromSeconds(30));

        var why = ProposalRules.DecisionNoLongerAsks(pending, Evaluated(Policy(), current: 60, desired: 64, at: _time.GetUtcNow()));

        Assert.Equal("the latest decision wants no scale-down: desired 64 > running 60 (evaluated 10:00:30 UTC)", why);
    }

    [Fact]
    public void HeldForMissingMetrics_SaysNothingOfTheNeed_TheTapWaitsFailStatic()
    {
        // Fail static: the decision stays at the running 20 because nobody can measure, not because 20 is enough.
        var pending = Proposed();
        _time.Advance(TimeSpan.FromSeconds(10));
        var policy = Held(Policy(), "failStatic", at: _time.GetUtcNow());

        Assert.Null(ProposalRules.DecisionNoLongerAsks(pending, policy));
        const string Why = "cannot confirm it is still needed: the policy's metrics are missing or stale, so its latest decision holds at the running 20 (fail static, evaluated 10:00:10 UTC); not applied";
        Assert.Equal(Why, ProposalRules.Undecided(pending, policy, _time.GetUtcNow(), StatusRefresh));
        Assert.Equal(Why, ProposalRules.StillHolds(pending, policy, Workload(20), 60, _time.GetUtcNow(), StatusRefresh));
    }

    [Theory]
    [InlineData("cooldown")]
    [InlineData("changeBudget")]
    public void HeldByTheEnginesBrake_ScaleUpStillAsked_TheApprovalGoesOn(string heldBy)
    {
        var pending = Proposed(); // 20 → 60
        _time.Advance(TimeSpan.FromSeconds(10));
        var policy = Held(Policy(), heldBy, unheld: 45, at: _time.GetUtcNow());

        Assert.Null(ProposalRules.DecisionNoLongerAsks(pending, policy));
        Assert.Null(ProposalRules.Undecided(pending, policy, _time.GetUtcNow(), StatusRefresh));
        Assert.Null(ProposalRules.StillHolds(pending, policy, Workload(20), 60, _time.GetUtcNow(), StatusRefresh));
    }

    [Fact]
    public void HeldByCooldown_KeptBackCountAsksForNoMore_NoLongerNeeded()
    {
        var pending = Proposed();
        _time.Advance(TimeSpan.FromSeconds(10));

        var why = ProposalRules.DecisionNoLongerAsks(pending, Held(Policy(), "cooldown", unheld: 18, at: _time.GetUtcNow()));

        Assert.Equal("the latest decision wants no scale-up: without the cooldown hold 18 < running 20 (evaluated 10:00:10 UTC)", why);
    }

    [Fact]
    public void HeldByFreeze_NotWithdrawn_TheTapWaitsSayingFrozen()
    {
        var pending = Proposed();
        _time.Advance(TimeSpan.FromSeconds(10));
        var policy = Held(Policy(), "freeze", at: _time.GetUtcNow());

        Assert.Null(ProposalRules.DecisionNoLongerAsks(pending, policy));
        Assert.Equal("the policy is frozen: its latest decision holds at the running 20 (evaluated 10:00:10 UTC); not applied",
            ProposalRules.Undecided(pending, policy, _time.GetUtcNow(), StatusRefresh));
    }

    [Fact]
    public void HeldByCooldown_PendingScaleDownStillAsked_WaitsForTheHold_NotWithdrawn()
    {
        // Capacity is not given back on a person's word while the engine holds it.
        var pending = Proposed(Decision(from: 60, to: 20));
        _time.Advance(TimeSpan.FromSeconds(10));
        var policy = Held(Policy(), "cooldown", current: 60, unheld: 30, at: _time.GetUtcNow());

        Assert.Null(ProposalRules.DecisionNoLongerAsks(pending, policy));
        Assert.Equal("the latest decision holds the scale-down at the running 60 (cooldown, evaluated 10:00:10 UTC), replicas are given back when the hold ends; not applied",
            ProposalRules.Undecided(pending, policy, _time.GetUtcNow(), StatusRefresh));
    }

    [Fact]
    public void Held_StatusWrittenBeforeTheProposal_TheProposalIsTheLatestDecision_Null()
    {
        var policy = Held(Policy(), "failStatic", at: T0.AddSeconds(-5));

        Assert.Null(ProposalRules.Undecided(Proposed(), policy, T0.AddSeconds(5), StatusRefresh));
    }

    [Fact]
    public void Held_AutomaticSteps_AreNotHeldToIt()
    {
        var auto = ProposalFactory.FromDecision(Policy(), Decision(), Workload(), T0, ProposalFactory.Action.Auto);

        Assert.Null(ProposalRules.HeldBack(auto, Held(Policy(), "failStatic", current: 60, at: T0.AddSeconds(10))));
    }

    [Fact]
    public void Held_ReturnToNormal_WaitsForMissingMetricsOnly()
    {
        // A return is proposed on the demand: the engine's brakes say nothing about it, but with the metrics missing
        // nobody can tell whether the traffic came back since (a tap applied it all the same).
        var way = ReturnToNormalRules.DecisionFor(Decision(from: 60, to: 20), Workload(60), 20, "return to normal");
        var back = ProposalFactory.ForReturn(Policy(), way, Workload(60), ReturnToNormalRules.EventOf(InPhase(ProposalPhase.Applied), 60)!, T0);

        Assert.Contains("metrics are missing or stale", ProposalRules.HeldBack(back, Held(Policy(), "failStatic", current: 60, at: T0.AddSeconds(10))), StringComparison.Ordinal);
        Assert.Null(ProposalRules.HeldBack(back, Held(Policy(), "cooldown", current: 60, at: T0.AddSeconds(10))));
    }

    [Fact]
    public void DecisionUnknown_NothingRecorded_FailsStatic() =>
        Assert.Contains("no decision of the policy is recorded", ProposalRules.DecisionUnknown(Proposed(), Policy(), T0, StatusRefresh), StringComparison.Ordinal);

    [Fact]
    public void DecisionUnknown_LoopStoppedWritingTheStatus_FailsStaticOnlyPastTheBound()
    {
        var pending = Proposed();
        var policy = Evaluated(Policy(), at: T0);
        var bound = ProposalRules.DecisionMaxAge(policy.Spec, StatusRefresh); // 3 × 60 s + 2 × 5 s

        _time.Advance(bound);
        Assert.Null(ProposalRules.DecisionUnknown(pending, policy, _time.GetUtcNow(), StatusRefresh));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(190), bound);
        Assert.Equal(
            "cannot confirm it is still needed: the policy's latest decision is from 10:00:00 UTC, 191 s ago (the control loop has not evaluated it since); not applied",
            ProposalRules.DecisionUnknown(pending, policy, _time.GetUtcNow(), StatusRefresh));
    }

    [Fact]
    public void DecisionUnknown_AutomaticStepsAndProposalsWrittenByHand_AreNotHeldToIt()
    {
        var auto = ProposalFactory.FromDecision(Policy(), Decision(), Workload(), T0, ProposalFactory.Action.Auto);
        var byHand = Pending(); // no action label: written with kubectl, not asked by the loop

        Assert.Null(ProposalRules.DecisionUnknown(auto, Policy(), T0.AddHours(1), StatusRefresh));
        Assert.Null(ProposalRules.DecisionNoLongerAsks(auto, Evaluated(Policy(), desired: 20, at: T0.AddSeconds(1))));
        Assert.Null(ProposalRules.DecisionNoLongerAsks(byHand, Evaluated(Policy(), desired: 20, at: T0.AddSeconds(1))));
    }

    [Fact]
    public void StillHolds_ApprovedButTrafficFellBackBeforeTheScale_RefusedAsNoLongerNeeded()
    {
        _time.Advance(TimeSpan.FromSeconds(20));

        var refusal = ProposalRules.StillHolds(Proposed(), Evaluated(Policy(), current: 20, desired: 20, at: _time.GetUtcNow()), Workload(20), 60, _time.GetUtcNow(), StatusRefresh);

        Assert.StartsWith("no longer needed: the latest decision wants no scale-up: desired 20 = running 20", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Withdrawal_NoChangeSteadilyForTheScaleDownWindow_WithdrawsThePendingScaleUp()
    {
        var policy = Policy(); // scale-down stabilization window 300 s
        var pending = Proposed();
        DateTimeOffset? since = null;

        string? verdict = null;
        for (var i = 0; i <= 60; i++) // every 5 s for 305 s
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            since = ProposalRules.NoChangeSince(since, NoChange(20), _time.GetUtcNow());
            verdict = ProposalRules.Withdrawal(policy, pending, NoChange(20), since, _time.GetUtcNow());
            Assert.True(verdict is null || i == 60, $"withdrawn after {(i + 1) * 5} s");
        }

        Assert.Equal("the latest decision wants no scale-up: desired 20 = running 20 (evaluated 10:05:05 UTC), steadily since 10:00:05 UTC", verdict);
    }

    [Fact]
    public void Withdrawal_ANoisyEvaluationBetween_StartsTheWaitAgain()
    {
        var policy = Policy();
        var pending = Proposed();
        _time.Advance(TimeSpan.FromSeconds(5));
        var since = ProposalRules.NoChangeSince(null, NoChange(20), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(200));
        since = ProposalRules.NoChangeSince(since, Decision(20, 60), _time.GetUtcNow()); // asks for 60 again
        _time.Advance(TimeSpan.FromSeconds(5));
        since = ProposalRules.NoChangeSince(since, NoChange(20), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(150));

        Assert.Null(ProposalRules.Withdrawal(policy, pending, NoChange(20), since, _time.GetUtcNow()));
    }

    [Fact]
    public void Withdrawal_AHold_IsNoSayingNoChange()
    {
        // Fail-static on a missing metric, a cooldown: the engine does not know, so the wait does not run.
        var hold = NoChange(20) with { Outcome = DecisionOutcome.Hold };

        Assert.Null(ProposalRules.NoChangeSince(T0, hold, T0.AddMinutes(10)));
        Assert.Null(ProposalRules.Withdrawal(Policy(), Proposed(), hold, T0, T0.AddMinutes(10)));
    }

    [Fact]
    public void Withdrawal_PendingScaleDown_WaitsTheScaleUpWindowButNoLessThanTheAmendInterval()
    {
        var pending = Proposed(Decision(from: 60, to: 20)); // scale-up window 0 s
        var since = T0.AddSeconds(5);

        Assert.Null(ProposalRules.Withdrawal(Policy(), pending, NoChange(60), since, since + ProposalRules.AmendInterval - TimeSpan.FromSeconds(1)));
        Assert.Contains("wants no scale-down: desired 60 = running 60",
            ProposalRules.Withdrawal(Policy(), pending, NoChange(60), since, since + ProposalRules.AmendInterval), StringComparison.Ordinal);
    }

    [Fact]
    public void ReturnToNormal_HeldToItsOwnRule_NotToTheEnginesDesiredCount()
    {
        // The scale-down window (or a swing) can hold the engine at 60 while the demand has fit 20 for the quiet period.
        var scaleUp = InPhase(ProposalPhase.Applied); // 20 → 60
        var way = ReturnToNormalRules.DecisionFor(Decision(from: 60, to: 20), Workload(60), 20, "return to normal");
        var back = ProposalFactory.ForReturn(Policy(), way, Workload(60), ReturnToNormalRules.EventOf(scaleUp, 60)!, T0);
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Null(ProposalRules.DecisionNoLongerAsks(back, Evaluated(Policy(), current: 60, desired: 60, at: _time.GetUtcNow())));
        Assert.Null(ProposalRules.Withdrawal(Policy(), back, NoChange(60), T0, _time.GetUtcNow()));
    }

    [Fact]
    public void Withdraw_ClosesAsSupersededWithoutASuccessor_RecordingWhy()
    {
        var withdrawn = ProposalLifecycle.Withdraw(Proposed(), "the latest decision wants no scale-up: desired 20 = running 20", T0.AddMinutes(5)).Proposal;

        Assert.Equal((ProposalPhase.Superseded, null, ProposalLifecycle.WithdrawnAction), (withdrawn.Status.Phase, withdrawn.Status.SupersededBy, withdrawn.Status.Supersession!.Action));
        Assert.Equal("no longer needed: the latest decision wants no scale-up: desired 20 = running 20", withdrawn.Status.Message);
        Assert.Equal(ProposalLifecycle.SystemUser, withdrawn.Status.History[^1].By);
    }

    /// <summary>A proposal the loop put to the approvers (labelled so), 20 → 60 unless <paramref name="decision"/> says otherwise, at 10:00:00.</summary>
    private static ScaleProposal Proposed(Decision? decision = null) =>
        ProposalFactory.FromDecision(Policy(), decision ?? Decision(), Workload(), T0, ProposalFactory.Action.Approval);

    private static Decision NoChange(int replicas) => Decision(replicas, replicas) with { Direction = ScaleDirection.None, Outcome = DecisionOutcome.None, AlternativeReplicas = null };
}
