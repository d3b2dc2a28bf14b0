using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>Stale approvals: the workload moved since the proposal was made, so the approval is re-checked, not applied blind.</summary>
public sealed class StaleApprovalTests
{
    [Fact]
    public async Task WorkloadScaledPastTheProposalSinceItWasMade_ApprovalReChecked_NothingWritten_ApproverToldWhy()
    {
        await using var cluster = await SharedCluster.StartAsync();
        await using var replica = await cluster.StartReplicaAsync("replica-a");
        var (name, from, to) = await cluster.CreateProposalAsync("stale", step: 3);
        await cluster.CardShowsAsync(name, "pending");

        // Someone scaled by hand beyond the proposal: applying it now would scale down.
        var moved = to + 3;
        await cluster.Sandbox.Kubectl.RunAsync("scale", "deployment", SharedCluster.Workload, "-n", SharedCluster.Namespace, $"--replicas={moved}");
        await cluster.ClearJournalAsync();

        using var lisi = replica.Client(SharedCluster.Tokens["lisi"]);
        using var response = await lisi.PostAsJsonAsync($"/api/v1/proposals/{SharedCluster.Namespace}/{name}/approve", new { });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = answer.GetProperty("proposal").GetProperty("status");
        Assert.Equal("Failed", status.GetProperty("phase").GetString());
        Assert.Contains($"the workload is at {moved} now (proposed from {from})", answer.GetProperty("message").GetString());
        Assert.Equal(moved, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal(0, await cluster.ScaleWritesAsync());
        await cluster.CardShowsAsync(name, "failed");
    }
}
