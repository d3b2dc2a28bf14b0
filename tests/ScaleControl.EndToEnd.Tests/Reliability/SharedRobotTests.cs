using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// Several clusters, one robot: a ScaleControl per cluster (prod, staging) shares one DingTalk app over Stream, and
/// DingTalk pushes each tap to any one connection of the app. Each instance answers only taps on its own cards and
/// hands the others back (not acknowledged as handled) so that they reach their owner — even when both clusters hold
/// a proposal of the same name, neither approves the other's.
/// </summary>
public sealed class SharedRobotTests
{
    private const string Proposal = "gala-night";

    [Fact]
    public async Task ProdAndStagingOnOneRobot_EachTapReachesItsOwner_NeitherApprovesTheOthersCard()
    {
        // The emulator of prod's sandbox is the shared robot; its answer budget is generous because a loaded CI runner
        // is not what this tests (TapPathTests holds a tap to DingTalk's 2 s).
        await using var prod = await SharedCluster.StartAsync(callbackTimeoutSeconds: 20);
        await using var staging = await SharedCluster.StartAsync();
        // The same proposal name in both clusters: only the instance in the card's id tells them apart.
        var (_, prodFrom, _) = await prod.CreateProposalAsync(Proposal);
        var (_, stagingFrom, stagingTo) = await staging.CreateProposalAsync(Proposal, step: 2);

        await using var prodReplica = await prod.StartReplicaAsync("prod-a", ("ScaleControl__DingTalk__Instance", "prod"));
        var stagingReplica = await StartStagingAsync(prod, staging);
        await prod.CardShowsAsync(Proposal, "pending", instance: "prod");
        await prod.CardShowsAsync(Proposal, "pending", instance: "staging");
        // The card is posted before the proposal's status records it: staging stops only once that is written too
        // (else, on a loaded runner, staging's proposal was left with no status at all).
        await staging.ProposalInPhaseAsync(Proposal, "Pending");

        // Staging is down: its card's tap reaches only prod's connections, and prod hands it back untouched.
        await stagingReplica.DisposeAsync();
        await prod.Sandbox.Eventually(async () => await OpenConnectionsAsync(prod) == 2, "only prod's two Stream connections are open");
        var orphan = await prod.TapResultAsync(Proposal, "zhangsan", instance: "staging");
        Assert.Equal("CallbackFailed", orphan.GetProperty("status").GetString());
        Assert.Contains("no connection handled it", orphan.GetProperty("detail").GetString());
        Assert.Contains("another ScaleControl instance", orphan.GetProperty("detail").GetString());
        Assert.Equal("Pending", (await prod.ProposalAsync(Proposal)).GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal("Pending", (await staging.ProposalAsync(Proposal)).GetProperty("status").GetProperty("phase").GetString());

        // Staging back: its tap is answered by staging (prod hands it back if it lands there first); prod is untouched.
        await using var stagingAgain = await StartStagingAsync(prod, staging);
        await prod.Sandbox.Eventually(async () => await OpenConnectionsAsync(prod) == 4, "prod's and staging's Stream connections are open");
        var tap = await prod.TapResultAsync(Proposal, "zhangsan", instance: "staging");
        Assert.Equal("Updated", tap.GetProperty("status").GetString());
        await staging.ProposalInPhaseAsync(Proposal, "Applied");
        await prod.CardShowsAsync(Proposal, "applied", instance: "staging");
        Assert.Equal(stagingTo, await staging.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal("Pending", (await prod.ProposalAsync(Proposal)).GetProperty("status").GetProperty("phase").GetString());
        Assert.Equal(prodFrom, await prod.Sandbox.Kubectl.ReplicasAsync("deployment", SharedCluster.Namespace, SharedCluster.Workload));
        Assert.Equal(0, await prod.ScaleWritesAsync());

        // And prod's own card is prod's.
        Assert.Equal("Updated", (await prod.TapResultAsync(Proposal, "lisi", instance: "prod")).GetProperty("status").GetString());
        await prod.ProposalInPhaseAsync(Proposal, "Applied");
        Assert.Equal(1, await prod.ScaleWritesAsync());
        Assert.Equal(1, await staging.ScaleWritesAsync());
        Assert.NotEqual(stagingFrom, stagingTo);
    }

    /// <summary>The staging instance: staging's cluster, prod's DingTalk app (the shared robot).</summary>
    private static Task<Testing.Server.SandboxServer> StartStagingAsync(SharedCluster prod, SharedCluster staging) =>
        prod.StartReplicaAsync("staging-a",
            ("ScaleControl__Kubernetes__KubeconfigPath", staging.Kubeconfig),
            ("ScaleControl__DingTalk__Instance", "staging"));

    private static async Task<int> OpenConnectionsAsync(SharedCluster cluster) =>
        (await cluster.Sandbox.GetJson("/sandbox/dingtalk/stream/connections")).EnumerateArray()
            .Count(c => c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean());
}
