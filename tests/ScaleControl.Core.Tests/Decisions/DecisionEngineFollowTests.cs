using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>A <c>follow</c> policy sizes from the leader's desired replicas × ratio, within its own bounds and behaviour.</summary>
public class DecisionEngineFollowTests
{
    private static ScalePolicy Follower(double ratio, int min = 1, int max = 100) => WithSpec(Auto(min, max), s => s with
    {
        Metrics = [],
        Follow = new FollowSpec { Workload = "feed/feed-service", Ratio = ratio },
    });

    private static Decision Decide(ScalePolicy policy, LeaderReading? leader, int current = 4)
    {
        var rig = new EngineRig(EngineRig.Unlimited(policy)) { Spec = current, Ready = current };
        var input = rig.Input(new Dictionary<string, Core.Signals.MetricReading>()) with { Leader = leader };
        return new DecisionEngine().Decide(input);
    }

    [Theory]
    [InlineData(16, 0.5, 8)]
    [InlineData(10, 0.3, 3)]
    [InlineData(7, 0.5, 4)]
    [InlineData(3, 2.0, 6)]
    public void Decide_Follower_SizesToLeaderDesiredTimesRatioRoundedUp(int leaderDesired, double ratio, int expected)
    {
        var decision = Decide(Follower(ratio), new LeaderReading("feed/feed-service", leaderDesired, "decision"));

        Assert.Equal(expected, decision.DesiredReplicas);
        Assert.Contains($"follows feed/feed-service at {leaderDesired} (decision)", decision.Reason, StringComparison.Ordinal);
        var evidence = Assert.Single(decision.Evidence.Metrics);
        Assert.Equal("follows feed/feed-service", evidence.Name);
        Assert.Equal(leaderDesired, evidence.Value);
    }

    [Fact]
    public void Decide_FollowerBeyondItsOwnMax_IsCappedByItsOwnBounds()
    {
        var decision = Decide(Follower(1, min: 2, max: 10), new LeaderReading("feed/feed-service", 40, "decision"));

        Assert.Equal(10, decision.DesiredReplicas);
        Assert.Equal("maxReplicas", decision.Evidence.BoundBy);
    }

    [Fact]
    public void Decide_FollowerInApprovalMode_ProposesLikeAnyPolicy()
    {
        var policy = WithSpec(Follower(0.5), s => s with { Mode = ScaleMode.Approval, Approval = new ApprovalSpec { OpenConversationId = "cid==", Approvers = ["alice"] } });

        var decision = Decide(policy, new LeaderReading("feed/feed-service", 20, "decision"));

        Assert.Equal(DecisionOutcome.Propose, decision.Outcome);
        Assert.Equal(10, decision.DesiredReplicas);
    }

    [Fact]
    public void Decide_LeaderMissing_FailsStaticAndSaysWhy()
    {
        var decision = Decide(Follower(0.5), LeaderReading.Missing("feed/feed-service", "leader Deployment feed/feed-service not found"), current: 6);

        Assert.Equal(6, decision.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, decision.Outcome);
        Assert.Equal("failStatic", decision.Evidence.BoundBy);
        Assert.Contains("fail-static", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("leader Deployment feed/feed-service not found", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoLeaderReadingAtAll_FailsStatic()
    {
        var decision = Decide(Follower(0.5), null, current: 6);

        Assert.Equal(6, decision.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, decision.Outcome);
    }

    [Fact]
    public void Decide_LeaderScalesDown_FollowerWaitsForItsOwnStabilization()
    {
        var rig = new EngineRig(WithSpec(Follower(0.5), s => s with { Behavior = new ScalingBehavior() })) { Spec = 8, Ready = 8 };
        var up = new DecisionEngine().Decide(rig.Input(new Dictionary<string, Core.Signals.MetricReading>()) with { Leader = new LeaderReading("feed/feed-service", 16, "decision") });
        rig.History.RecordEvaluation(rig.Input(new Dictionary<string, Core.Signals.MetricReading>()), up);
        rig.Clock.Advance(TimeSpan.FromSeconds(5));

        var down = new DecisionEngine().Decide(rig.Input(new Dictionary<string, Core.Signals.MetricReading>()) with { Leader = new LeaderReading("feed/feed-service", 4, "decision") });

        Assert.Equal(8, down.DesiredReplicas);
        Assert.Equal("stabilization", down.Evidence.BoundBy);
    }
}
