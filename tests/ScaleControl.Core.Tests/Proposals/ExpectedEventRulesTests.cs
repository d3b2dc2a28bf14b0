using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using static ScaleControl.Core.Tests.Proposals.ProposalFixtures;

namespace ScaleControl.Core.Tests.Proposals;

/// <summary>
/// A scale-up raised for an expected event's floor, re-checked against the event as it is on the policy now: the
/// status still carries the floor's decision after <c>scalectl unprepare</c>, so only the spec can say it is gone.
/// </summary>
public class ExpectedEventRulesTests
{
    private static readonly DateTimeOffset Now = T0.AddSeconds(10);

    [Fact]
    public void EventCancelled_NoLongerNeeded_AndTheApplierRefusesIt()
    {
        var policy = Evaluated(WithEvents(), at: Now); // the status still says 20 → 60: the floor's decision

        const string Why = "the expected event push it was raised for is no longer on the policy (cancelled)";
        Assert.Equal(Why, ProposalRules.NoLongerNeeded(FloorProposal(), policy, Now));
        Assert.Equal($"no longer needed: {Why}", ProposalRules.StillHolds(FloorProposal(), policy, Workload(20), 60, Now, StatusRefresh));
    }

    [Fact]
    public void EventAsksForFewerNow_NoLongerNeeded()
    {
        var why = ProposalRules.EventNoLongerAsks(FloorProposal(), WithEvents(Push(replicas: 40)).Spec, Now);

        Assert.Equal("the expected event push it was raised for now asks for 40 replicas, not 60", why);
    }

    [Fact]
    public void EventPreparedAgainForLater_HoldsNoFloorNow_NoLongerNeeded()
    {
        var why = ProposalRules.EventNoLongerAsks(FloorProposal(), WithEvents(Push(at: T0.AddHours(3))).Spec, Now);

        Assert.Equal("the expected event push it was raised for holds no floor now (its floor runs 2026-11-25 12:50:00Z to 2026-11-25 13:20:00Z)", why);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(80)]
    public void EventStillAsksForAtLeastTheCount_Stands(int replicas)
    {
        var policy = Evaluated(WithEvents(Push(replicas: replicas)), at: Now);

        Assert.Null(ProposalRules.NoLongerNeeded(FloorProposal(), policy, Now));
        Assert.Null(ProposalRules.StillHolds(FloorProposal(), policy, Workload(20), 60, Now, StatusRefresh));
    }

    [Fact]
    public void AutomaticStepOfACancelledEvent_RefusedAtTheApplier()
    {
        var auto = ProposalFactory.FromDecision(Policy(), FloorDecision(), Workload(), T0, ProposalFactory.Action.Auto);

        Assert.Contains("no longer on the policy", ProposalRules.StillHolds(auto, Evaluated(WithEvents(), at: Now), Workload(20), 60, Now, StatusRefresh), StringComparison.Ordinal);
    }

    [Fact]
    public void NotAnEventsScaleUp_NotJudgedByEvents()
    {
        var spec = WithEvents().Spec;
        var byMetrics = ProposalFactory.FromDecision(Policy(), Decision(), Workload(), T0, ProposalFactory.Action.Approval);
        var down = ProposalFactory.FromDecision(Policy(), FloorDecision(from: 60, to: 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var byHand = Pending(decision: FloorDecision()); // no action label: its approvers decide it as written

        Assert.Null(ProposalRules.EventNoLongerAsks(byMetrics, spec, Now));
        Assert.Null(ProposalRules.EventNoLongerAsks(down, spec, Now));
        Assert.Null(ProposalRules.EventNoLongerAsks(byHand, spec, Now));
    }

    [Fact]
    public void ScaleDown_AnEventPreparedSinceAsksForMore_NoLongerNeeded()
    {
        var down = ProposalFactory.FromDecision(Policy(), Decision(60, 40), Workload(60), T0, ProposalFactory.Action.Approval);

        var why = ProposalRules.BelowEventFloor(down, WithEvents(Push(replicas: 50)).Spec, Now);

        Assert.Equal("expected event push at 10:05Z (push to 30M users) floor -> 50: more than the 40 it would leave", why);
        Assert.Equal(why, ProposalRules.NoLongerNeeded(down, Evaluated(WithEvents(Push(replicas: 50)), at: Now), Now));
    }

    [Fact]
    public void ScaleDown_NoEventFloorAboveIt_NotHeldByEvents()
    {
        var down = ProposalFactory.FromDecision(Policy(), Decision(60, 40), Workload(60), T0, ProposalFactory.Action.Approval);
        var byHand = Pending(decision: Decision(60, 40)); // no action label: a person's count, as a pin's or an undo's

        Assert.Null(ProposalRules.BelowEventFloor(down, WithEvents(Push(replicas: 40)).Spec, Now));
        Assert.Null(ProposalRules.BelowEventFloor(down, WithEvents(Push(replicas: 50, at: T0.AddHours(3))).Spec, Now));
        Assert.Null(ProposalRules.BelowEventFloor(byHand, WithEvents(Push(replicas: 50)).Spec, Now));
        Assert.Null(ProposalRules.BelowEventFloor(FloorProposal(), WithEvents(Push(replicas: 80)).Spec, Now));
    }

    /// <summary>20 → 60 set by the floor of the expected event "push", asked of the approvers at 10:00:00.</summary>
    private static ScaleProposal FloorProposal() =>
        ProposalFactory.FromDecision(Policy(), FloorDecision(), Workload(), T0, ProposalFactory.Action.Approval);

    private static Decision FloorDecision(int from = 20, int to = 60) => Decision(from, to) with
    {
        Evidence = new DecisionEvidence { CurrentReplicas = from, ReadyReplicas = from, BoundBy = ExpectedEventFloor.BoundByPrefix + "push" },
    };

    /// <summary>"push" at 10:05 for 20 minutes, its floor from 09:55.</summary>
    private static ExpectedEventSpec Push(int replicas = 60, DateTimeOffset? at = null) =>
        new() { Name = "push", At = at ?? T0.AddMinutes(5), DurationSeconds = 1200, LeadSeconds = 600, Replicas = replicas, Reason = "push to 30M users" };

    private static ScalePolicy WithEvents(params ExpectedEventSpec[] events) =>
        TestPolicies.WithSpec(Policy(), s => s with { ExpectedEvents = events });
}
