using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>Dependencies failing: while DingTalk is down proposals are still approved through the API, and the cards catch up when it returns.</summary>
public sealed class DependencyFailureTests
{
    [Fact]
    public async Task DingTalkDown_ApprovedThroughTheApi_CardCaughtUpWhenDingTalkReturns()
    {
        await using var cluster = await SharedCluster.StartAsync();
        await using var replica = await cluster.StartReplicaAsync("replica-a");
        var (name, _, to) = await cluster.CreateProposalAsync("dingtalk-down");
        await cluster.CardShowsAsync(name, "pending");
        await cluster.ArmDingTalkFaultAsync("/v1.0/card/instances");

        using var zhangsan = replica.Client(SharedCluster.Tokens["zhangsan"]);
        using var response = await zhangsan.PostAsJsonAsync($"/api/v1/proposals/{SharedCluster.Namespace}/{name}/approve", new { });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Applied", answer.GetProperty("proposal").GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(to, await cluster.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));

        // DingTalk still down: the card cannot say so yet, and the proposal knows its card is behind.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("pending", (await cluster.CardAsync(name)).GetProperty("cardData").GetProperty("status").GetString());

        await cluster.ClearDingTalkFaultsAsync();
        await cluster.CardShowsAsync(name, "applied");
        Assert.Equal(1, await cluster.ScaleWritesAsync());
    }
}
