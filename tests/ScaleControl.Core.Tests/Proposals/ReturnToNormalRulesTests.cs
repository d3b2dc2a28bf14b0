using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// The way back after a hot event: the event is remembered by its applied scale-up (20 → 60 at T0+10 s), and one
/// return-to-normal proposal to the pre-event 20 comes once the demand has fit 20 for the quiet period (15 minutes).
/// </summary>
public class ReturnToNormalRulesTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(ReturnToNormalRules.DefaultAfterSeconds);

    private static ScaleProposal ScaleUp() => InPhase(ProposalPhase.Applied); // 20 → 60, applied at T0+10 s

    private static HotEvent Event() => ReturnToNormalRules.EventOf(ScaleUp(), 60)!;

    /// <summary>What the engine measured: the demand sized at <paramref name="demand"/> replicas, the workload at 60.</summary>
    private static Decision Measured(int? demand, string? problem = null) => Decision(from: 60, to: Math.Max(demand ?? 60, 2)) with
    {
        RawRecommendation = demand,
        Evidence = new DecisionEvidence { CurrentReplicas = 60, ReadyReplicas = 60, Metrics = [new MetricEvidence { Name = "qps", Value = 9000, Target = 500, Problem = problem }] },
    };

    private static ReturnVerdict? Check(DateTimeOffset? quietSince, DateTimeOffset now, ScalePolicy? policy = null, ScaleProposal? lastReturn = null, ScaleProposal? refused = null) =>
        ReturnToNormalRules.Check(policy ?? Policy(), Event(), quietSince, Workload(60), lastReturn, refused, now);

    private static ScaleProposal Return(DateTimeOffset at) =>
        ProposalFactory.ForReturn(Policy(), ReturnToNormalRules.DecisionFor(Measured(18), Workload(60), 20, "return to normal"), Workload(60), Event(), at);

    [Fact]
    public void EventOf_AppliedScaleUpStillAbove_RemembersTheCountItStartedFrom()
    {
        var hotEvent = ReturnToNormalRules.EventOf(ScaleUp(), 60);

        Assert.NotNull(hotEvent);
        Assert.Equal(20, hotEvent.PreEventReplicas);
        Assert.Null(ReturnToNormalRules.EventOf(ScaleUp(), 20)); // back where it started: no event
        Assert.Null(ReturnToNormalRules.EventOf(InPhase(ProposalPhase.Rejected), 60));
        Assert.Null(ReturnToNormalRules.EventOf(ScaleUp() with { Status = ScaleUp().Status with { Undo = new UndoRecord { By = "alice" } } }, 60));
    }

    [Fact]
    public void PreEventFor_SecondStepOfTheEvent_KeepsTheFirstStepsStart()
    {
        Assert.Equal(20, ReturnToNormalRules.PreEventFor(ScaleUp(), 60));
        var second = ProposalFactory.FromDecision(Policy(), Decision(from: 60, to: 80), Workload(60), T0.AddMinutes(2), ProposalFactory.Action.Approval,
            ReturnToNormalRules.PreEventFor(ScaleUp(), 60));
        Assert.Equal(20, second.Spec.PreEventReplicas);

        var applied = ProposalLifecycle.MarkApplied(ProposalLifecycle.StartApplying(ProposalLifecycle.Approve(second, "alice", ApprovalChannel.DingTalk, T0.AddMinutes(3)).Proposal, T0.AddMinutes(3)).Proposal, 80, T0.AddMinutes(3)).Proposal;
        Assert.Equal(20, ReturnToNormalRules.EventOf(applied, 80)!.PreEventReplicas);
        Assert.Null(ReturnToNormalRules.EventOf(Return(T0.AddMinutes(30)) with { Status = applied.Status }, 80)); // a return applied ends the event
    }

    [Fact]
    public void QuietSince_StartsWhenDemandFits_CarriesOn_RestartsWhenAboveOrUnknown()
    {
        var start = T0.AddMinutes(10);
        Assert.Equal(start, ReturnToNormalRules.QuietSince(null, Measured(18), 20, start));
        Assert.Equal(start, ReturnToNormalRules.QuietSince(start, Measured(20), 20, start.AddMinutes(5)));
        Assert.Null(ReturnToNormalRules.QuietSince(start, Measured(21), 20, start.AddMinutes(6)));
        Assert.Null(ReturnToNormalRules.QuietSince(start, Measured(null), 20, start.AddMinutes(6))); // no usable metric: fail static
        Assert.Null(ReturnToNormalRules.QuietSince(start, Measured(18, problem: "query failed"), 20, start.AddMinutes(6)));
        Assert.Null(ReturnToNormalRules.QuietSince(start, Measured(18) with { PredictedRecommendation = 25 }, 20, start.AddMinutes(6)));
    }

    [Fact]
    public void Check_BeforeTheQuietPeriod_WaitsAndSaysWhen()
    {
        var since = T0.AddMinutes(20);

        var verdict = Check(since, since + Quiet - TimeSpan.FromSeconds(1));

        Assert.NotNull(verdict);
        Assert.Null(verdict.Target);
        Assert.Contains("one return-to-normal proposal at 10:35 UTC", verdict.Said, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DemandStillAbove_Waits()
    {
        var verdict = Check(quietSince: null, T0.AddHours(2));

        Assert.Null(verdict!.Target);
        Assert.Contains("demand is above the pre-event 20 replicas", verdict.Said, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AfterTheQuietPeriod_OneProposalToThePreEventCount_NotATrickle()
    {
        // The demand ebbs 50 → 18 → 5: while it does, nothing is proposed step by step; then one proposal, always to 20.
        DateTimeOffset? since = null;
        var verdicts = new List<ReturnVerdict>();
        foreach (var (minute, demand) in new[] { (1, 50), (5, 30), (10, 18), (15, 12), (20, 8), (25, 5) })
        {
            var now = T0.AddMinutes(minute);
            since = ReturnToNormalRules.QuietSince(since, Measured(demand), 20, now);
            verdicts.Add(Check(since, now)!);
        }

        Assert.All(verdicts.Take(5), v => Assert.Null(v.Target));
        Assert.Equal(20, verdicts[^1].Target);
        Assert.StartsWith("return to normal: 60 → pre-event 20", verdicts[^1].Said, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RespectsBoundsFreezeAndPin()
    {
        var since = T0.AddMinutes(1);
        var now = since + Quiet;
        Assert.Equal(30, Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { MinReplicas = 30 }))!.Target);
        Assert.Null(Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { MinReplicas = 60 }))); // the bounds leave no way back
        Assert.Contains("frozen until", Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { Freeze = new FreezeSpec { Until = now.AddHours(1), Reason = "sale" } }))!.Said, StringComparison.Ordinal);
        Assert.Contains("pinned at 60", Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { Pin = new PinSpec { Replicas = 60, Until = now.AddHours(1) } }))!.Said, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OwningHpa_ReturnsNoLowerThanItsOwnMinimum()
    {
        var since = T0.AddMinutes(1);
        var now = since + Quiet;
        ReturnVerdict? WithHpa(int? min, int? original, int replicas = 60) =>
            ReturnToNormalRules.Check(Policy(), Event(), since, Workload(replicas) with { Hpa = new HpaInfo("checkout-hpa", min, 100, original) }, null, null, now);

        var raised = WithHpa(60, original: 30)!; // ScaleControl raised the HPA's 30 to 60
        Assert.Equal(30, raised.Target);
        Assert.StartsWith("return to normal: 60 → pre-event 20 (not below HPA checkout-hpa's own minReplicas: 30)", raised.Said, StringComparison.Ordinal);
        Assert.Equal(20, WithHpa(60, original: 10)!.Target); // the HPA's own minimum is below the pre-event count: no say
        Assert.Null(WithHpa(60, original: null)); // its own minimum is where the workload runs: no way back below it
        Assert.Null(WithHpa(10, original: null)); // its own 10 restored, the HPA keeps 60: asking for 20 would only raise its floor
    }

    [Fact]
    public void Check_AfterAReject_HeldForTheBackoff_ThenAskedOnceMore()
    {
        var since = T0.AddMinutes(1);
        var rejectedAt = since + Quiet + TimeSpan.FromMinutes(1);
        var rejected = ProposalLifecycle.Reject(Return(since + Quiet), "bob", ApprovalChannel.DingTalk, rejectedAt, "keep it warm").Proposal;

        var held = Check(since, rejectedAt.AddMinutes(29), lastReturn: rejected, refused: rejected);
        Assert.Null(held!.Target);
        Assert.Contains("bob refused 60 → 20", held.Said, StringComparison.Ordinal);
        Assert.Contains("(reject back-off)", held.Said, StringComparison.Ordinal);

        Assert.Equal(20, Check(since, rejectedAt.AddMinutes(30), lastReturn: rejected, refused: rejected)!.Target);
    }

    [Fact]
    public void Check_UnansweredReturn_NotRepostedWithinTheBackoff()
    {
        var since = T0.AddMinutes(1);
        var posted = since + Quiet;
        var expired = ProposalLifecycle.Expire(Return(posted), posted.AddMinutes(10)).Proposal;

        Assert.Contains("nobody answered the return to normal", Check(since, posted.AddMinutes(11), lastReturn: expired)!.Said, StringComparison.Ordinal);
        Assert.Equal(20, Check(since, posted.AddMinutes(40), lastReturn: expired)!.Target);
    }

    [Fact]
    public void Check_Off_WithZero_OrWhenScaleDownIsAutomatic()
    {
        var since = T0.AddMinutes(1);
        var now = since + Quiet;
        Assert.Null(Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { Approval = s.Approval! with { ReturnToNormalAfterSeconds = 0 } })));
        Assert.Null(Check(since, now, TestPolicies.WithSpec(Policy(), s => s with { ScaleDownMode = ScaleMode.Auto })));
        Assert.NotNull(ReturnToNormalRules.QuietPeriod(TestPolicies.WithSpec(TestPolicies.Auto(), s => s with { ScaleDownMode = ScaleMode.Approval }).Spec));
    }

    [Fact]
    public void Comeback_PartWay_AmendsTheTargetUpToTheNeed_NeverAtOnceAfterTheLastChange()
    {
        var posted = T0.AddMinutes(20);
        var back = Return(posted);

        Assert.Null(ReturnToNormalRules.Comeback(Policy(), back, Measured(35), Workload(60), posted.AddSeconds(10))); // the card moves at most every 30 s
        var comeback = ReturnToNormalRules.Comeback(Policy(), back, Measured(35), Workload(60), posted.AddSeconds(30));

        Assert.Equal(35, comeback!.AmendTo);
        Assert.Equal("return to normal: 60 → 35; the demand came back to 35 replicas at 10:20 UTC, above the 20 proposed before", comeback.Why);
        var amended = ProposalLifecycle.Amend(back, ReturnToNormalRules.DecisionFor(Measured(35), Workload(60), 35, comeback.Why), posted.AddSeconds(30));
        Assert.True(amended.Accepted, amended.Message);
        Assert.Null(ReturnToNormalRules.Comeback(Policy(), amended.Proposal, Measured(30), Workload(60), posted.AddMinutes(5))); // only ever up
    }

    [Fact]
    public void Comeback_WithinTheTolerance_OrUnknown_LeavesTheTarget()
    {
        var back = Return(T0.AddMinutes(20));
        var now = T0.AddMinutes(25);

        Assert.All(new[] { 5, 20, 21, 22 }, demand => Assert.Null(ReturnToNormalRules.Comeback(Policy(), back, Measured(demand), Workload(60), now)));
        Assert.Equal(23, ReturnToNormalRules.Comeback(Policy(), back, Measured(23), Workload(60), now)!.AmendTo); // 20 + 10 % is 22
        Assert.Null(ReturnToNormalRules.Comeback(Policy(), back, Measured(null), Workload(60), now)); // fail static: no amendment on a guess
        Assert.Null(ReturnToNormalRules.Comeback(Policy(), back, Measured(40, problem: "query failed"), Workload(60), now));
    }

    [Fact]
    public void Comeback_AtOrAboveTheRunningCount_OrTheWorkloadMoved_Withdraws()
    {
        var back = Return(T0.AddMinutes(20));
        var now = T0.AddMinutes(20).AddSeconds(5); // a withdrawal does not wait for the card's interval

        var full = ReturnToNormalRules.Comeback(Policy(), back, Measured(60), Workload(60), now);
        Assert.Equal((null, "the demand came back to 60 replicas, at or above the running 60: no way back for now"), (full!.AmendTo, full.Why));
        Assert.Null(ReturnToNormalRules.Comeback(Policy(), back, Measured(70), Workload(60), now)!.AmendTo);
        var moved = ReturnToNormalRules.Comeback(Policy(), back, Measured(35), Workload(50), now);
        Assert.Null(moved!.AmendTo);
        Assert.Contains("the workload runs 50 now, not the 60 the way back started from", moved.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Comeback_OnlyForAPendingReturn()
    {
        var now = T0.AddMinutes(30);
        var scaleDown = ProposalFactory.FromDecision(Policy(), Decision(from: 60, to: 20), Workload(60), T0.AddMinutes(20), ProposalFactory.Action.Approval);
        var rejected = ProposalLifecycle.Reject(Return(T0.AddMinutes(20)), "bob", ApprovalChannel.DingTalk, T0.AddMinutes(21)).Proposal;

        Assert.Null(ReturnToNormalRules.Comeback(Policy(), scaleDown, Measured(40), Workload(60), now));
        Assert.Null(ReturnToNormalRules.Comeback(Policy(), rejected, Measured(40), Workload(60), now));
    }

    [Fact]
    public void ForReturn_NamesTheEvent_AsksTheRoster_DingsNobody()
    {
        var proposal = Return(T0.AddMinutes(30));

        Assert.True(ReturnToNormalRules.IsReturn(proposal));
        Assert.Equal(ScaleUp().Metadata.Name, proposal.Metadata.Annotations![ReturnToNormalRules.ReturnOfAnnotation]);
        Assert.Equal((60, 20), (proposal.Spec.FromReplicas, proposal.Spec.ToReplicas));
        Assert.Equal(ProposalPhase.Pending, proposal.Status.Phase);
        Assert.Null(proposal.Spec.EscalateAt);
        Assert.Null(proposal.Spec.AlternativeReplicas);
        Assert.Equal(ProposalFactory.Action.Approval, ProposalFactory.ActionOf(proposal));
    }
}
