using k8s;
using k8s.Models;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// PodGC as kube-controller-manager 1.32 runs it for lost nodes: the pods of a node that is gone are marked Failed
/// (DisruptionTarget, DeletionByPodGC) and force-deleted after 40 s of quarantine; a terminating pod on a NotReady node
/// tainted out-of-service goes on the next pass. Real kubectl on a fake clock.
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
}
