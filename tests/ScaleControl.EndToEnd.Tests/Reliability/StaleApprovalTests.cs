using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Stale approvals: the workload moved since the proposal was made, so the approval is re-checked against the policy's
/// latest decision, not applied blind.
/// </summary>
public sealed class StaleApprovalTests
{
    [Fact]
    public async Task WorkloadScaledPastTheProposalSinceItWasMade_ApprovalReChecked_NothingWritten_ApproverToldWhy()
    {
        await using var cluster = await SharedCluster.StartAsync();
        await using var replica = await cluster.StartReplicaAsync("replica-a");
        var (name, _, to) = await cluster.CreateProposalAsync("stale", step: 3);
        await cluster.CardShowsAsync(name, "pending");

        // Someone scaled by hand beyond the proposal: applying it now would scale down.
        var moved = to + 3;
        await cluster.Sandbox.Kubectl.RunAsync("scale", "deployment", SharedCluster.Workload, "-n", SharedCluster.Namespace, $"--replicas={moved}");
        await PolicyDecidedAtAsync(cluster, moved); // the leader's decision for the moved workload, on the policy's status
        await cluster.ClearJournalAsync();

        using var lisi = replica.Client(SharedCluster.Tokens["lisi"]);
        using var response = await lisi.PostAsJsonAsync($"/api/v1/proposals/{SharedCluster.Namespace}/{name}/approve", new { });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("no longer needed, the latest decision wants no scale-up: desired", answer.GetProperty("detail").GetString());
        Assert.Contains($"running {moved}", answer.GetProperty("detail").GetString());
        Assert.Equal("Superseded", (await cluster.ProposalAsync(name)).GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(moved, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal(0, await cluster.ScaleWritesAsync());
        await cluster.CardShowsAsync(name, "superseded");
    }

    private static Task<JsonElement> PolicyDecidedAtAsync(SharedCluster cluster, int replicas) =>
        cluster.Sandbox.EventuallyJson(async () =>
        {
            var policy = JsonDocument.Parse((await cluster.Sandbox.Kubectl.RunAsync(
                "get", "scalepolicies.scalecontrol.io", SharedCluster.Workload, "-n", SharedCluster.Namespace, "-o", "json")).StdOut).RootElement.Clone();
            return policy.TryGetProperty("status", out var status) && status.TryGetProperty("currentReplicas", out var current) && current.GetInt32() == replicas
                ? policy
                : null;
        }, $"policy {SharedCluster.Workload} decided at {replicas} replicas");
}
