using System.Net;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Any replica may apply a scale, only the leader decides: the leader learns every applied change from the
/// ScaleProposals on its next tick, so its cooldowns, step limits, change budget and swing rules count changes a
/// follower applied, and count the leader's own once.
/// </summary>
public sealed class FollowerChangesTests : IDisposable
{
    private const string Shop = "shop";
    private const string Checkout = "checkout-api";

    private readonly ServerFactory _leader = new();
    private readonly List<ServerFactory> _followers = [];

    public void Dispose()
    {
        _followers.ForEach(f => f.Dispose());
        _leader.Dispose();
    }

    [Fact]
    public async Task ApprovalOnAFollower_HoldsTheLeadersNextTickInTheScaleDownCooldown()
    {
        await _leader.Policies.UpsertAsync(WithBehavior(TestPolicies.Approval(), down: new() { StabilizationWindowSeconds = 0, CooldownSeconds = 300 }), default);
        _leader.Workloads.Add(Shop, Checkout, 10);
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 2000);
        await LeaderTick();
        var proposal = Assert.Single(await _leader.Proposals.ListAsync(Shop, default));
        Assert.Equal((10, 20), (proposal.Spec.FromReplicas, proposal.Spec.ToReplicas));

        using var approved = await Follower().ClientWith(LisiToken).PostJson($"/api/v1/proposals/{Shop}/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal(20, _leader.Workloads.Replicas(Shop, Checkout));

        // 5 s later the traffic is back to what 10 pods serve: the cooldown the follower's change started holds.
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 1000);
        await LeaderTick(seconds: 5);

        var status = (await _leader.Policies.GetAsync(Shop, Checkout, default))!.Status!;
        Assert.Contains("cooling down", status.LastReason, StringComparison.Ordinal);
        Assert.DoesNotContain(await _leader.Proposals.ListAsync(Shop, default), p => p.Status.Phase.IsOpen());
        var learned = Assert.Single(History(Shop, Checkout).Changes);
        Assert.Equal((10, 20, new ChangeSource(proposal.Metadata.Name, 0)), (learned.From, learned.To, learned.Source));
    }

    [Fact]
    public async Task PinOnAFollower_CountsInTheLeadersChangeBudget()
    {
        var policy = WithBehavior(TestPolicies.Approval(), down: new() { StabilizationWindowSeconds = 0, CooldownSeconds = 0 });
        await _leader.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Behavior = policy.Spec.Behavior with { ChangeBudget = 1 } } }, default);
        _leader.Workloads.Add(Shop, Checkout, 10);
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 1000);
        await LeaderTick();

        using var pinned = await Follower().ClientWith(ZhangsanToken).PostJson($"/api/v1/workloads/{Shop}/{Checkout}/pin", new { replicas = 9, durationSeconds = 5, reason = "drain a node" });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        Assert.Equal(9, _leader.Workloads.Replicas(Shop, Checkout));

        // The pin has ended; a small adjustment (not urgent) waits: the one change of the budget was the follower's.
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 800);
        await LeaderTick(seconds: 5);

        var status = (await _leader.Policies.GetAsync(Shop, Checkout, default))!.Status!;
        Assert.Contains("change budget spent (1 changes in 10 min)", status.LastReason, StringComparison.Ordinal);
        Assert.DoesNotContain(await _leader.Proposals.ListAsync(Shop, default), p => p.Status.Phase.IsOpen());
    }

    [Fact]
    public async Task LeadersOwnChange_IsCountedOnce()
    {
        // A budget of two: the leader's own scale-up spends one, the small scale-down after it the other.
        var policy = WithBehavior(TestPolicies.Auto(), down: new() { StabilizationWindowSeconds = 0, CooldownSeconds = 0 });
        await _leader.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Behavior = policy.Spec.Behavior with { ChangeBudget = 2 } } }, default);
        _leader.Workloads.Add("video", "video-transcoder", 4);
        _leader.Metrics.Set(TestPolicies.Query("video-transcoder"), 800);
        await LeaderTick();
        Assert.Equal(8, _leader.Workloads.Replicas("video", "video-transcoder"));

        // The next tick reads the applied proposal back: the change it holds already is not added again.
        _leader.Metrics.Set(TestPolicies.Query("video-transcoder"), 700);
        await LeaderTick(seconds: 5);

        Assert.Equal(7, _leader.Workloads.Replicas("video", "video-transcoder"));
        Assert.Equal([(4, 8), (8, 7)], History("video", "video-transcoder").Changes.Select(c => (c.From, c.To)));
        Assert.DoesNotContain(_leader.Logs.Lines, l => l.Contains("learned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FollowersChangeOlderThanTheHistoryKeeps_IsIgnored()
    {
        // Evaluated every 10 minutes: the loop watches all along, and sees the first pin only after 21 minutes.
        var policy = TestPolicies.Approval();
        await _leader.Policies.UpsertAsync(policy with { Spec = policy.Spec with { EvaluationIntervalSeconds = 600 } }, default);
        _leader.Workloads.Add(Shop, Checkout, 4);
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 400);
        await LeaderTick();
        var follower = Follower();
        using var operatorClient = follower.ClientWith(ZhangsanToken);

        using var first = await operatorClient.PostJson($"/api/v1/workloads/{Shop}/{Checkout}/pin", new { replicas = 6, durationSeconds = 60, reason = "warm-up" });
        _leader.Time.Advance(TimeSpan.FromMinutes(20));
        using var second = await operatorClient.PostJson($"/api/v1/workloads/{Shop}/{Checkout}/pin", new { replicas = 8, durationSeconds = 3600, reason = "launch" });
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        await LeaderTick(seconds: 60);

        var retention = PolicyHistory.ChangesKeptFrom(_leader.Time.GetUtcNow(), DecisionRecorder.Retention(policy.Spec with { EvaluationIntervalSeconds = 600 }));
        Assert.Equal(_leader.Time.GetUtcNow().AddMinutes(-20), retention); // the first pin is 21 minutes old
        var kept = Assert.Single(History(Shop, Checkout).Changes);
        Assert.Equal((6, 8), (kept.From, kept.To));
    }

    [Fact]
    public async Task FollowersChangeOlderThanTheLeadersNewest_IsInsertedInTimeOrder()
    {
        await _leader.Policies.UpsertAsync(TestPolicies.Approval(), default);
        _leader.Workloads.Add(Shop, Checkout, 10);
        _leader.Metrics.Set(TestPolicies.Query(Checkout), 2000);
        await LeaderTick();
        var proposal = Assert.Single(await _leader.Proposals.ListAsync(Shop, default));

        // The leader applies an approval itself; then a follower whose clock is 10 s behind applies a pin.
        using var approved = await _leader.ClientWith(LisiToken).PostJson($"/api/v1/proposals/{Shop}/{proposal.Metadata.Name}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var behind = new FakeTimeProvider(_leader.Time.GetUtcNow().AddSeconds(-10));
        using var pinned = await Follower(behind).ClientWith(ZhangsanToken).PostJson($"/api/v1/workloads/{Shop}/{Checkout}/pin", new { replicas = 24, durationSeconds = 600, reason = "launch" });
        Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        await LeaderTick(seconds: 5);

        var changes = History(Shop, Checkout).Changes;
        Assert.Equal([(20, 24), (10, 20)], changes.Select(c => (c.From, c.To)));
        Assert.Equal(changes.OrderBy(c => c.Time).Select(c => c.Time), changes.Select(c => c.Time));
    }

    private ServerFactory Follower(FakeTimeProvider? clock = null)
    {
        var follower = _leader.Restarted(clock);
        follower.Leadership = new SwitchableLeadership { IsLeader = false };
        _followers.Add(follower);
        return follower;
    }

    private PolicyHistory History(string ns, string name) => _leader.Service<PolicyRuntimes>().Find(ns, name)!.History;

    private static ScalePolicy WithBehavior(ScalePolicy policy, DirectionBehavior down) => policy with
    {
        Spec = policy.Spec with { Behavior = policy.Spec.Behavior with { ScaleDown = DirectionBehavior.DefaultScaleDown with { StabilizationWindowSeconds = down.StabilizationWindowSeconds, CooldownSeconds = down.CooldownSeconds } } },
    };

    private Task LeaderTick(int seconds = 0)
    {
        _leader.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _leader.Service<Reconciler>().TickAsync(default);
    }
}
