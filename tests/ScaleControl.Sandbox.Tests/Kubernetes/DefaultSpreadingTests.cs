using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// kube-scheduler 1.32's default scoring, as <c>kubectl get pods -o wide</c> shows it: a ReplicaSet's pods without
/// requests spread over the nodes (the default PodTopologySpread constraints, hostname maxSkew 3 and zone maxSkew 5,
/// with LeastAllocated on the non-zero requests), and over zones when the nodes carry
/// <c>topology.kubernetes.io/zone</c>. Real kubectl 1.32.4 on a fake clock.
/// </summary>
public sealed class DefaultSpreadingTests
{
    [Fact]
    public async Task DeploymentWithoutRequests_SpreadsOverTheNodes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 6);

        var wide = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "wide", "--no-headers")).StdOut;

        // NAME READY STATUS RESTARTS AGE IP NODE …
        var perNode = wide.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[6])
            .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["sandbox-node-1"] = 2, ["sandbox-node-2"] = 2, ["sandbox-node-3"] = 2 }, perNode);
    }

    [Fact]
    public async Task NodesInZones_TheSmallerZoneGetsMorePodsPerNode()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "4", "8Gi"));
            o.Nodes.Add(new SandboxNode("node-b", "4", "8Gi"));
            o.Nodes.Add(new SandboxNode("node-c", "4", "8Gi"));
        }, fakeTime: true);
        using (var admin = new Kubectl(sandbox.Server.BaseUri))
        {
            await admin.RunAsync("label", "node", "node-a", "node-b", "topology.kubernetes.io/zone=zone-1");
            await admin.RunAsync("label", "node", "node-c", "topology.kubernetes.io/zone=zone-2");
        }

        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 4);
        var nodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.nodeName}")).StdOut;

        // By hostname alone the fourth pod would join node-a (a tie); by zone it goes to zone-2's only node.
        Assert.Equal(["node-a", "node-b", "node-c", "node-c"], nodes.Split(' ').Order(StringComparer.Ordinal));
    }
}
