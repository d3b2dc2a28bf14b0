using k8s;
using k8s.Models;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// PodGC as kube-controller-manager 1.32 runs it: finished pods beyond the terminated-pod threshold go, evicted ones
/// first, then the oldest; the pods of a node that is gone are marked Failed (DisruptionTarget, DeletionByPodGC) and
/// force-deleted after 40 s of quarantine; a terminating pod on a NotReady node tainted out-of-service goes on the next
/// pass. Real kubectl on a fake clock.
/// </summary>
public sealed class PodGarbageCollectorTests
{
    private static void Pass(SandboxHarness sandbox, int seconds)
    {
        sandbox.Time!.Advance(TimeSpan.FromSeconds(seconds));
        sandbox.Control.ReconcileNow();
    }

    private static async Task<(SandboxHarness Sandbox, Kubectl Kubectl, string Pod, string Node)> RunningAsync()
    {
        var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1, readyReplicas: 1);
        sandbox.Control.ReconcileNow();
        var pod = sandbox.Control.List("v1", "Pod", "shop")[0];
        return (sandbox, new Kubectl(sandbox.Server.BaseUri), (string)pod["metadata"]!["name"]!, (string)pod["spec"]!["nodeName"]!);
    }

    [Fact]
    public async Task KubectlDeleteNode_ItsPodsAreMarkedFailedAndForceDeletedAfterTheQuarantine_ThenReplaced()
    {
        var (sandbox, kubectl, pod, node) = await RunningAsync();
        await using var _ = sandbox;
        using var __ = kubectl;
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":["example.com/hold"]}}""", V1Patch.PatchType.MergePatch), pod, "shop");

        await kubectl.RunAsync("delete", "node", node);
        Pass(sandbox, 1); // the pass that first sees the node gone
        Pass(sandbox, 39);
        var during = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(pod, "shop");
        Pass(sandbox, 1);
        var marked = await sandbox.Client.CoreV1.ReadNamespacedPodAsync(pod, "shop");
        await sandbox.Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), pod, "shop");
        sandbox.Control.ReconcileNow();
        var pods = sandbox.Control.List("v1", "Pod", "shop");

        Assert.Equal(("Running", null), (during.Status.Phase, during.Metadata.DeletionTimestamp));
        Assert.Equal(("Failed", 0L), (marked.Status.Phase, marked.Metadata.DeletionGracePeriodSeconds));
        Assert.Contains(marked.Status.Conditions, c => c is { Type: "DisruptionTarget", Status: "True", Reason: "DeletionByPodGC", Message: "PodGC: node no longer exists" });
        var replacement = Assert.Single(pods);
        Assert.NotEqual(pod, (string)replacement["metadata"]!["name"]!);
        Assert.NotEqual(node, (string?)replacement["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task TerminatingPodOnANotReadyNode_StaysUntilTheNodeIsTaintedOutOfService()
    {
        var (sandbox, kubectl, pod, node) = await RunningAsync();
        await using var _ = sandbox;
        using var __ = kubectl;
        await kubectl.RunAsync("patch", "node", node, "--subresource=status", "--type=strategic", "-p",
            """{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletStopped"}]}}""");

        await kubectl.RunAsync("delete", "pod", pod, "-n", "shop", "--wait=false");
        Pass(sandbox, 60);
        var stuck = sandbox.Control.Get("v1", "Pod", "shop", pod) is not null;
        var tainted = await kubectl.RunAsync("taint", "node", node, "node.kubernetes.io/out-of-service=nodeshutdown:NoExecute");
        Pass(sandbox, 1);

        Assert.True(stuck);
        Assert.Equal(0, tainted.ExitCode);
        Assert.Null(sandbox.Control.Get("v1", "Pod", "shop", pod));
    }

    [Fact]
    public async Task FinishedPodsBeyondTheThreshold_AreDeleted_EvictedFirstThenOldest()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.TerminatedPodGcThreshold = 2, fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        foreach (var name in new[] { "job-1", "job-2", "job-3", "job-4", "web" })
        {
            await kubectl.RunAsync("run", name, "-n", "shop", "--image=busybox:1.36");
            Pass(sandbox, 10); // one creationTimestamp each
        }

        await FinishAsync(kubectl, "job-1", """{"phase":"Succeeded"}""");
        await FinishAsync(kubectl, "job-2", """{"phase":"Failed"}""");
        await FinishAsync(kubectl, "job-3", """{"phase":"Failed","reason":"Evicted","message":"The node was low on resource: memory."}""");
        Pass(sandbox, 1);
        var kept = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "name")).StdOut;
        await FinishAsync(kubectl, "job-4", """{"phase":"Succeeded"}""");
        Pass(sandbox, 1);
        var collected = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "name")).StdOut;

        // Three finished pods, threshold 2: one goes (the evicted one, though the newest); with the fourth, the oldest too.
        Assert.Equal("pod/job-1\npod/job-2\npod/job-4\npod/web\n", kept);
        Assert.Equal("pod/job-2\npod/job-4\npod/web\n", collected);
    }

    // The kubelet's word that a pod is done: a merge patch of the status subresource.
    private static Task<KubectlResult> FinishAsync(Kubectl kubectl, string pod, string status) =>
        kubectl.RunAsync("patch", "pod", pod, "-n", "shop", "--subresource=status", "--type=merge", "-p", "{\"status\":" + status + "}");
}
