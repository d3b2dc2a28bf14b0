using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// A waiting proposal the loop raised, re-checked against the policy's schedules as they are now: the status keeps the
/// loop's last decision, so only the spec and the clock can say that a schedule was removed, added or changed since.
/// </summary>
public class ScheduleRulesTests
{
    private static readonly DateTimeOffset Now = T0.AddSeconds(10);

    [Fact]
    public void ScheduleRemoved_NoLongerNeeded_AndTheApplierRefusesIt()
    {
        var policy = Evaluated(WithSchedules(), at: Now); // the status still says 20 → 60: the floor's decision

        const string Why = "the schedule peak it was raised for is no longer on the policy";
        Assert.Equal(Why, ProposalRules.NoLongerNeeded(FloorProposal(), policy, Now));
        Assert.Equal($"no longer needed: {Why}", ProposalRules.StillHolds(FloorProposal(), policy, Workload(20), 60, Now, StatusRefresh));
    }

    [Fact]
    public void ScheduleAsksForFewerNow_NoLongerNeeded()
    {
        var why = ProposalRules.ScheduleNoLongerAsks(FloorProposal(), WithSchedules(Peak(replicas: 40)).Spec, Now);

        Assert.Equal("the schedule peak it was raised for now asks for 40 replicas, not 60", why);
    }

    [Fact]
    public void ScheduleWindowClosed_NoLongerNeeded()
    {
        var closed = Peak(start: T0.AddHours(-2), end: Now); // ended at the tap

        var why = ProposalRules.ScheduleNoLongerAsks(FloorProposal(), WithSchedules(closed).Spec, Now);

        Assert.Equal("the schedule peak it was raised for is not open now", why);
    }

    [Fact]
    public void CronScheduleOnAnExcludedDayNow_NoLongerNeeded()
    {
        var daily = Peak() with { Start = null, End = null, Cron = "0 10 * * *", DurationSeconds = 3600, ExcludeDates = ["2026-11-25"] };

        Assert.Equal("the schedule peak it was raised for is not open now", ProposalRules.ScheduleNoLongerAsks(FloorProposal(), WithSchedules(daily).Spec, Now));
        Assert.Null(ProposalRules.ScheduleNoLongerAsks(FloorProposal(), WithSchedules(daily with { ExcludeDates = [] }).Spec, Now));
    }

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    public void ScheduleStillAsksForAtLeastTheCount_Stands(int replicas)
    {
        var policy = Evaluated(WithSchedules(Peak(replicas: replicas)), at: Now);

        Assert.Null(ProposalRules.NoLongerNeeded(FloorProposal(), policy, Now));
        Assert.Null(ProposalRules.StillHolds(FloorProposal(), policy, Workload(20), 60, Now, StatusRefresh));
    }

    [Fact]
    public void AutomaticStepOfARemovedSchedule_RefusedAtTheApplier()
    {
        var auto = ProposalFactory.FromDecision(Policy(), FloorDecision(), Workload(), T0, ProposalFactory.Action.Auto);

        Assert.Contains("no longer on the policy", ProposalRules.StillHolds(auto, Evaluated(WithSchedules(), at: Now), Workload(20), 60, Now, StatusRefresh), StringComparison.Ordinal);
    }

    [Fact]
    public void NotASchedulesScaleUp_NotJudgedBySchedules()
    {
        var spec = WithSchedules().Spec;
        var byMetrics = ProposalFactory.FromDecision(Policy(), Decision(), Workload(), T0, ProposalFactory.Action.Approval);
        var byEvent = ProposalFactory.FromDecision(Policy(), Decision() with
        {
            Evidence = new DecisionEvidence { CurrentReplicas = 20, ReadyReplicas = 20, BoundBy = ExpectedEventFloor.BoundByPrefix + "peak" },
        }, Workload(), T0, ProposalFactory.Action.Approval);
        var down = ProposalFactory.FromDecision(Policy(), FloorDecision(from: 60, to: 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var byHand = Pending(decision: FloorDecision()); // no action label: its approvers decide it as written

        Assert.Null(ProposalRules.ScheduleNoLongerAsks(byMetrics, spec, Now));
        Assert.Null(ProposalRules.ScheduleNoLongerAsks(byEvent, spec, Now));
        Assert.Null(ProposalRules.ScheduleNoLongerAsks(down, spec, Now));
        Assert.Null(ProposalRules.ScheduleNoLongerAsks(byHand, spec, Now));
    }

    [Fact]
    public void ScaleDown_AScheduleAddedSinceAsksForMore_NoLongerNeeded()
    {
        var down = ProposalFactory.FromDecision(Policy(), Decision(60, 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var policy = Evaluated(WithSchedules(Peak(replicas: 50)), current: 60, desired: 40, at: Now);

        var why = ProposalRules.BelowScheduleFloor(down, policy.Spec, Now);

        Assert.Equal("schedule peak floor -> 50: more than the 40 it would leave", why);
        Assert.Equal(why, ProposalRules.NoLongerNeeded(down, policy, Now));
        Assert.Equal($"no longer needed: {why}", ProposalRules.StillHolds(down, policy, Workload(60), 40, Now, StatusRefresh));
    }

    [Fact]
    public void ScaleDown_TheHighestOpenScheduleCounts_CappedByMaxReplicas()
    {
        var down = ProposalFactory.FromDecision(Policy(), Decision(60, 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var spec = WithSchedules(Peak(replicas: 45) with { Name = "small" }, Peak(replicas: 500) with { Name = "big" }).Spec;

        Assert.Equal($"schedule big floor -> {spec.MaxReplicas}: more than the 40 it would leave", ProposalRules.BelowScheduleFloor(down, spec, Now));
    }

    [Fact]
    public void ScaleDown_NoOpenScheduleFloorAboveIt_NotHeldBySchedules()
    {
        var down = ProposalFactory.FromDecision(Policy(), Decision(60, 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var byHand = Pending(decision: Decision(60, 40)); // no action label: a person's count, as a pin's or an undo's

        Assert.Null(ProposalRules.BelowScheduleFloor(down, WithSchedules(Peak(replicas: 40)).Spec, Now));
        Assert.Null(ProposalRules.BelowScheduleFloor(down, WithSchedules(Peak(replicas: 50, start: T0.AddHours(3), end: T0.AddHours(4))).Spec, Now));
        Assert.Null(ProposalRules.BelowScheduleFloor(byHand, WithSchedules(Peak(replicas: 50)).Spec, Now));
        Assert.Null(ProposalRules.BelowScheduleFloor(FloorProposal(), WithSchedules(Peak(replicas: 80)).Spec, Now));
    }

    [Fact]
    public void TheEngineBindsItsDecisionToTheScheduleTheRuleReadsBack()
    {
        var floor = ScheduleFloor.Active(WithSchedules(Peak()).Spec, Now);

        Assert.Equal(new Floor(60, "schedule:peak", "schedule peak floor -> 60"), floor);
        Assert.Equal("peak", ScheduleFloor.ScheduleOf(floor!.Value.BoundBy));
        Assert.Null(ScheduleFloor.ScheduleOf("event:peak"));
    }

    /// <summary>20 → 60 set by the floor of the schedule "peak", asked of the approvers at 10:00:00.</summary>
    private static ScaleProposal FloorProposal() =>
        ProposalFactory.FromDecision(Policy(), FloorDecision(), Workload(), T0, ProposalFactory.Action.Approval);

    private static Decision FloorDecision(int from = 20, int to = 60) => Decision(from, to) with
    {
        Evidence = new DecisionEvidence { CurrentReplicas = from, ReadyReplicas = from, BoundBy = ScheduleFloor.BoundByPrefix + "peak" },
    };

    /// <summary>"peak", a one-shot window open from 09:00 to 12:00.</summary>
    private static ScheduleSpec Peak(int replicas = 60, DateTimeOffset? start = null, DateTimeOffset? end = null) =>
        new() { Name = "peak", Start = start ?? T0.AddHours(-1), End = end ?? T0.AddHours(2), MinReplicas = replicas };

    private static ScalePolicy WithSchedules(params ScheduleSpec[] schedules) =>
        TestPolicies.WithSpec(Policy(), s => s with { Schedules = schedules });
}
