using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Nodes with allocatable resources, pods per replica bound by their requests, Pending when nothing fits.</summary>
public sealed class NodesAndPodsTests
{
    private static readonly PodRequests s_big = new("600m", "256Mi");

    private static Task<SandboxHarness> TwoSmallNodesAsync() => SandboxHarness.StartAsync(o =>
    {
        o.PodStartupDelay = TimeSpan.FromSeconds(5);
        o.Nodes.Clear();
        o.Nodes.Add(new SandboxNode("node-a", "1", "2Gi"));
        o.Nodes.Add(new SandboxNode("node-b", "1", "2Gi"));
    }, fakeTime: true);

    [Fact]
    public async Task Replicas_MoreThanNodesHold_ExtraPodPendingWithFailedSchedulingEvent()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 3, requests: s_big);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var starting = Rows((await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "wide")).StdOut);
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        var running = Rows((await kubectl.RunAsync("get", "pods", "-n", "shop")).StdOut);
        var events = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=FailedScheduling", "-o", "json")).StdOut;
        var deployment = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");

        Assert.Equal(["ContainerCreating", "ContainerCreating", "Pending"], starting.Skip(1).Select(r => r[2]).Order());
        Assert.Equal(["<none>", "node-a", "node-b"], starting.Skip(1).Select(r => r[6]).Order());
        Assert.All(starting.Skip(1), r => Assert.Matches("^web-[a-z0-9]{10}-[a-z0-9]{5}$", r[0]));
        Assert.Equal(["Pending", "Running", "Running"], running.Skip(1).Select(r => r[2]).Order());
        var failed = JsonNode.Parse(events)!["items"]!.AsArray().Single()!;
        Assert.Equal(("Warning", "default-scheduler"), ((string?)failed["type"], (string?)failed["source"]!["component"]));
        Assert.Equal(
            "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
            (string?)failed["message"]);
        Assert.Equal((3, 2, 3), (deployment.Status.Replicas, deployment.Status.ReadyReplicas, deployment.Status.UpdatedReplicas));
    }

    [Fact]
    public async Task GetNodesAndDescribeNode_ShowAllocatableAndWhatThePodsRequest()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2, requests: s_big);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var nodes = Rows((await kubectl.RunAsync("get", "nodes")).StdOut);
        var describe = (await kubectl.RunAsync("describe", "node", "node-a")).StdOut;
        var pods = Rows((await kubectl.RunAsync("get", "pods", "-n", "shop")).StdOut);

        Assert.Equal(["NAME", "STATUS", "ROLES", "AGE", "VERSION"], nodes[0]);
        Assert.Equal(["node-a Ready <none> v1.32.4", "node-b Ready <none> v1.32.4"], nodes.Skip(1).Select(r => $"{r[0]} {r[1]} {r[2]} {r[4]}"));
        Assert.Matches(new Regex(@"Allocatable:\s+cpu:\s+1\s+ephemeral-storage:\s+100Gi\s+memory:\s+2Gi\s+pods:\s+110"), describe);
        Assert.Matches(new Regex(@"Non-terminated Pods:\s+\(1 in total\)"), describe);
        Assert.Matches(new Regex(@"\n\s+cpu\s+600m \(60%\)\s+0 \(0%\)"), describe);
        Assert.Equal(["1/1 Running", "1/1 Running"], pods.Skip(1).Select(r => $"{r[1]} {r[2]}"));
    }

    [Fact]
    public async Task ScaleDown_RemovesThePendingPodFirst_AndPodsFollowTheirOwner()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        sandbox.Control.SeedStatefulSet("video", "enc", 3, readyReplicas: 3, requests: s_big);
        sandbox.Control.ReconcileNow();
        var placed = await PodsAsync(sandbox.Client, "video");

        await sandbox.Client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch(new { spec = new { replicas = 2 } }, V1Patch.PatchType.MergePatch), "enc", "video");
        sandbox.Control.ReconcileNow();
        var scaledDown = await PodsAsync(sandbox.Client, "video");
        await sandbox.Client.AppsV1.DeleteNamespacedStatefulSetAsync("enc", "video");
        sandbox.Control.ReconcileNow();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(30)); // the collected pods' grace period
        sandbox.Control.ReconcileNow();
        var afterDelete = await PodsAsync(sandbox.Client, "video");

        Assert.Equal(["enc-0 Running", "enc-1 Running", "enc-2 Pending"], placed.Select(p => $"{p.Metadata.Name} {p.Status.Phase}"));
        Assert.Equal(["enc-0", "enc-1"], scaledDown.Select(p => p.Metadata.Name));
        Assert.All(scaledDown, p => Assert.Equal(("StatefulSet", "enc"), (p.Metadata.OwnerReferences[0].Kind, p.Metadata.OwnerReferences[0].Name)));
        Assert.Empty(afterDelete);
    }

    [Fact]
    public async Task DeploymentPods_OwnedByAReplicaSet_RecreatedWhenDeleted()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 1, readyReplicas: 1);
        sandbox.Control.ReconcileNow();
        var first = (await PodsAsync(sandbox.Client, "shop")).Single();
        var replicaSet = (await sandbox.Client.AppsV1.ListNamespacedReplicaSetAsync("shop")).Items.Single();

        await sandbox.Client.CoreV1.DeleteNamespacedPodAsync(first.Metadata.Name, "shop");
        sandbox.Control.ReconcileNow();
        var pods = await PodsAsync(sandbox.Client, "shop");
        var replacement = pods.Single(p => p.Metadata.DeletionTimestamp is null);

        Assert.Equal(("ReplicaSet", replicaSet.Metadata.Name, replicaSet.Metadata.Uid),
            (first.Metadata.OwnerReferences[0].Kind, first.Metadata.OwnerReferences[0].Name, first.Metadata.OwnerReferences[0].Uid));
        Assert.Equal("Deployment", replicaSet.Metadata.OwnerReferences[0].Kind);
        Assert.Equal(replicaSet.Metadata.Labels["pod-template-hash"], first.Metadata.Labels["pod-template-hash"]);
        Assert.NotEqual(first.Metadata.Name, replacement.Metadata.Name);
        Assert.Equal(30, pods.Single(p => p.Metadata.Name == first.Metadata.Name).Metadata.DeletionGracePeriodSeconds); // terminating meanwhile
        Assert.Equal("Pending", replacement.Status.Phase); // bound, containers starting: ready only after the start-up delay
        Assert.NotNull(replacement.Spec.NodeName);
    }

    [Fact]
    public async Task PythonKubernetesClient_ListsNodesPodsAndTheStatefulSet()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        sandbox.Control.SeedStatefulSet("video", "enc", 1, readyReplicas: 1, requests: s_big);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var output = await Python.RunAsync(kubectl.KubeconfigPath, """
            core = client.CoreV1Api()
            for n in core.list_node().items:
                print("node", n.metadata.name, n.status.allocatable["cpu"], n.status.allocatable["memory"])
            for p in core.list_namespaced_pod("video").items:
                print("pod", p.metadata.name, p.spec.node_name, p.status.phase, p.spec.containers[0].resources.requests["cpu"])
            sts = client.AppsV1Api().read_namespaced_stateful_set("enc", "video")
            print("sts", sts.spec.service_name, sts.status.ready_replicas)
            """);

        Assert.Equal(
            ["node node-a 1 2Gi", "node node-b 1 2Gi", "pod enc-0 node-a Running 600m", "sts enc 1"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<List<V1Pod>> PodsAsync(IKubernetes client, string ns) =>
        [.. (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    [Fact]
    public async Task CordonAndDrain_PodsMoveOffTheNodeAndNewOnesAvoidIt()
    {
        await using var sandbox = await TwoSmallNodesAsync();
        // Pods that stop at once: kubectl drain waits until its pods are gone, and this fake clock does not move.
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2, requests: new PodRequests("100m", "64Mi"), terminationGracePeriodSeconds: 0);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var drain = await kubectl.RunRawAsync("drain", "node-a", "--ignore-daemonsets");
        sandbox.Control.ReconcileNow();
        var nodes = Rows((await kubectl.RunAsync("get", "nodes")).StdOut);
        var pods = Rows((await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "wide")).StdOut);
        await kubectl.RunAsync("drain", "node-b", "--ignore-daemonsets");
        sandbox.Control.ReconcileNow();
        var events = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}")).StdOut;

        Assert.True(drain.ExitCode == 0, drain.StdErr);
        Assert.Contains("node/node-a drained", drain.StdOut, StringComparison.Ordinal);
        Assert.Equal(["Ready", "Ready,SchedulingDisabled"], nodes.Skip(1).Select(r => r[1]).Order());
        Assert.Equal(["node-b", "node-b"], pods.Skip(1).Select(r => r[6]));
        Assert.Contains(
            "0/2 nodes are available: 2 node(s) were unschedulable. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
            events, StringComparison.Ordinal);
    }

    private static List<string[]> Rows(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Regex.Split(l.Trim(), @"\s{2,}"))];
}
