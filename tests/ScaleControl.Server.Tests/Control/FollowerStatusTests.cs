using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A follower does not evaluate, so it has no loop memory of a policy; what it says about one (a chat <c>status</c>
/// that DingTalk delivered to it, or <c>/status</c> when the leader cannot be reached) must still show the replicas
/// the cluster runs now, not only those the policy's stored status last recorded.
/// </summary>
public sealed class FollowerStatusTests : IAsyncLifetime
{
    private readonly ServerFactory _follower = new() { Leadership = new FollowerLeadership("leader-replica") };

    public async Task InitializeAsync()
    {
        // The stored status says 3 (the leader's last write); the cluster has since scaled to 5, 4 of them ready.
        var policy = TestPolicies.Approval();
        await _follower.Policies.UpsertAsync(policy with { Status = new ScalePolicyStatus { CurrentReplicas = 3, DesiredReplicas = 3 } }, default);
        _follower.Workloads.Add("shop", "checkout-api", 5);
        _follower.Workloads.SetReady("shop", "checkout-api", 4);
    }

    public async Task DisposeAsync() => await _follower.DisposeAsync();

    [Fact]
    public async Task ChatStatus_OnAFollower_ShowsTheReplicasRunningNow()
    {
        var reply = await _follower.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new StatusCommand("shop", null), "wangwu", "wangwu", "status shop", "cidOnCall=="), default);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains("**shop/checkout-api** 5 → 3 replicas (4 ready)", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OnAFollowerWithoutItsLeader_ShowsTheReplicasRunningNow()
    {
        using var client = _follower.ClientWith(ServerFactory.ViewerToken);

        var status = await client.GetFromJsonAsync<JsonElement>("/api/v1/status");

        var policy = Assert.Single(status.GetProperty("policies").EnumerateArray());
        Assert.Equal((5, 4), (policy.GetProperty("currentReplicas").GetInt32(), policy.GetProperty("readyReplicas").GetInt32()));
        Assert.False(status.GetProperty("isLeader").GetBoolean());
    }

    [Fact]
    public async Task ChatStatus_OnAFollower_SaysWhatTheLeaderRecordedHoldsTheDecision()
    {
        await StoreHeldStatusAsync();

        var reply = await _follower.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new StatusCommand("shop", null), "wangwu", "wangwu", "status shop", "cidOnCall=="), default);

        Assert.Contains("**shop/checkout-api** 5 → 3 replicas (4 ready) · Approval\nheld at 3 by the cooldown after the last change: it would go to 7 (recorded 2026-11-25 09:59:30Z)",
            reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_OnAFollowerWithoutItsLeader_SaysWhatHoldsTheDecision()
    {
        await StoreHeldStatusAsync();
        using var client = _follower.ClientWith(ServerFactory.ViewerToken);

        var status = await client.GetFromJsonAsync<JsonElement>("/api/v1/status");

        var policy = Assert.Single(status.GetProperty("policies").EnumerateArray());
        Assert.Equal(("cooldown", 7), (policy.GetProperty("heldBy").GetString(), policy.GetProperty("unheldReplicas").GetInt32()));
        Assert.StartsWith("held at 3 by the cooldown after the last change: it would go to 7", policy.GetProperty("held").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The leader's last write: a scale-up to 7 held at 3 by the cooldown, 30 s ago.</summary>
    private async Task StoreHeldStatusAsync()
    {
        var stored = (await _follower.Policies.GetAsync("shop", "checkout-api", default))!;
        await _follower.Policies.UpdateStatusAsync(stored with
        {
            Status = new ScalePolicyStatus
            {
                CurrentReplicas = 3, DesiredReplicas = 3, HeldBy = "cooldown", UnheldReplicas = 7, LastEvaluationTime = _follower.Time.GetUtcNow().AddSeconds(-30),
            },
        }, default);
    }

    [Fact]
    public async Task Status_WorkloadUnreadable_FallsBackToTheStoredStatus()
    {
        _follower.Workloads.ApiDown = "connection refused";
        using var client = _follower.ClientWith(ServerFactory.ViewerToken);

        var status = await client.GetFromJsonAsync<JsonElement>("/api/v1/status");

        var policy = Assert.Single(status.GetProperty("policies").EnumerateArray());
        Assert.Equal(3, policy.GetProperty("currentReplicas").GetInt32());
        Assert.Equal(JsonValueKind.Null, policy.GetProperty("readyReplicas").ValueKind);
    }

    [Fact]
    public async Task Status_WorkloadCacheNotAnswering_AnswersWithTheStoredStatusWithinItsBudget()
    {
        for (var i = 0; i < 20; i++)
        {
            await _follower.Policies.UpsertAsync(TestPolicies.Approval() with { Metadata = new() { Namespace = "shop", Name = $"api-{i}" } }, default);
        }

        _follower.Workloads.Hang = true;
        using var client = _follower.ClientWith(ServerFactory.ViewerToken);

        var pending = client.GetFromJsonAsync<JsonElement>("/api/v1/status");
        Assert.True(await Patience.UntilAsync(() => _follower.Workloads.Hung > 0, 5), "the status request never reached the workload read");
        _follower.Time.Advance(StatusService.WorkloadReadBudget);
        var status = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        // One budget for the whole answer, not one per policy: 21 policies, one read waited.
        Assert.Equal(21, status.GetProperty("policies").GetArrayLength());
        Assert.Equal(1, _follower.Workloads.Hung);
        var stored = status.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "checkout-api");
        Assert.Equal(3, stored.GetProperty("currentReplicas").GetInt32());
    }
}
