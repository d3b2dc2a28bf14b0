using System.Net;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>A <c>follow</c> policy scales with its leader in the same decision, on the group's card.</summary>
public sealed class FollowPolicyTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task LeaderScales_FollowerProposalJoinsTheSameGroupCardInTheSameTick()
    {
        // "comments" sorts before "gateway": the loop must still decide the leader first.
        await GivenLeader("gateway", qps: 1000);
        await GivenFollower("comments", leader: "feed/gateway", ratio: 0.5);

        await Tick();

        var rows = await Open();
        Assert.Equal(2, rows.Count);
        Assert.Single(_server.Cards.Sent);
        Assert.Single(rows.Select(r => r.Status.Card!.OutTrackId).Distinct());
        var gateway = rows.Single(r => r.Spec.Target.Name == "gateway");
        var comments = rows.Single(r => r.Spec.Target.Name == "comments");
        Assert.Equal(10, gateway.Spec.ToReplicas);
        Assert.Equal(5, comments.Spec.ToReplicas);
        Assert.Contains("follows feed/gateway at 10 (decision) × 0.5 -> 5", comments.Spec.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _server.Cards.GroupUpdates.Last().Count);
    }

    [Fact]
    public async Task LeaderObserves_AnActingFollowerSizesFromWhatTheLeaderRuns_AnObservingOneFromWhatItWouldRun()
    {
        await GivenLeader("gateway", qps: 1000); // would run 10; runs 4
        await SetModeAsync("gateway", ScaleMode.Observe);
        await GivenFollower("comments", leader: "feed/gateway", ratio: 2);
        await GivenFollower("likes", leader: "feed/gateway", ratio: 2);
        await SetModeAsync("likes", ScaleMode.Observe);

        await Tick();

        var asked = Assert.Single(await Open()); // the acting follower's own ask; nothing of the observing two
        Assert.Equal(("comments", 4, 8), (asked.Spec.PolicyName, asked.Spec.FromReplicas, asked.Spec.ToReplicas));
        var comments = (await _server.Policies.GetAsync("feed", "comments", default))!.Status!;
        var likes = (await _server.Policies.GetAsync("feed", "likes", default))!.Status!;
        Assert.Contains("follows feed/gateway at 4 (current) × 2 -> 8", comments.LastReason, StringComparison.Ordinal);
        Assert.Contains("follows feed/gateway at 10 (decision) × 2 -> 20", likes.LastReason, StringComparison.Ordinal);
        Assert.Equal(20, likes.DesiredReplicas);
        Assert.Equal(4, _server.Workloads.Replicas("feed", "gateway"));
        Assert.Equal(4, _server.Workloads.Replicas("feed", "likes"));
    }

    [Fact]
    public async Task LeaderMissing_FollowerFailsStaticAndTheStatusSaysWhy()
    {
        await GivenFollower("comments", leader: "feed/gone", ratio: 0.5);

        await Tick();

        Assert.Empty(await Open());
        Assert.Equal(4, _server.Workloads.Replicas("feed", "comments"));
        var status = (await _server.Policies.GetAsync("feed", "comments", default))!.Status!;
        Assert.Contains("leader Deployment feed/gone not found", status.LastReason, StringComparison.Ordinal);
        Assert.Contains("fail-static", status.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutPolicy_ClosingAFollowCycle_Returns400AndStoresNothing()
    {
        await GivenFollower("comments", leader: "feed/api", ratio: 0.5);
        await GivenFollower("api", leader: "feed/gateway", ratio: 1);
        var closing = Follower("gateway", "feed/comments", 2);
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PutJson("/api/v1/policies/feed/gateway", closing);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.ReadJson()).GetProperty("errors").GetProperty("spec.follow.workload")[0].GetString();
        Assert.Contains("feed/gateway → feed/comments → feed/api → feed/gateway", error, StringComparison.Ordinal);
        Assert.Null(await _server.Policies.GetAsync("feed", "gateway", default));
    }

    private async Task GivenLeader(string name, double qps)
    {
        var policy = TestPolicies.Approval("feed", name);
        _server.Workloads.Add("feed", name, 4);
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Group = "feed-chain" } }, default);
        _server.Metrics.Set(TestPolicies.Query(name), qps);
    }

    private async Task SetModeAsync(string name, ScaleMode mode)
    {
        var policy = (await _server.Policies.GetAsync("feed", name, default))!;
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Mode = mode } }, default);
    }

    private async Task GivenFollower(string name, string leader, double ratio)
    {
        _server.Workloads.Add("feed", name, 4);
        await _server.Policies.UpsertAsync(Follower(name, leader, ratio), default);
    }

    private static ScalePolicy Follower(string name, string leader, double ratio)
    {
        var policy = TestPolicies.Approval("feed", name);
        return policy with { Spec = policy.Spec with { Group = "feed-chain", Metrics = [], Follow = new FollowSpec { Workload = leader, Ratio = ratio } } };
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }

    private async Task<IReadOnlyList<ScaleProposal>> Open() =>
        [.. (await _server.Proposals.ListAsync("feed", default)).Where(p => p.Status.Phase.IsOpen())];
}
