using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A node that fails, as kube-controller-manager 1.32's node lifecycle controller and kube-apiserver's
/// DefaultTolerationSeconds admission handle it: a node whose kubelet stops posting status is Unknown after 50 s and
/// tainted <c>node.kubernetes.io/unreachable</c> (NoSchedule and NoExecute), one whose kubelet reports Ready False
/// <c>not-ready</c>; every pod is created tolerating both for 300 s, so the taint eviction controller evicts its pods
/// five minutes later, and the taints go when the node is Ready again. Real kubectl 1.32.4 on a fake clock.
/// </summary>
public sealed class NodeLifecycleTests
{
    private const string PodRows = "jsonpath={range .items[*]}{.spec.nodeName} {.status.conditions[?(@.type==\"Ready\")].status} {.status.conditions[?(@.type==\"DisruptionTarget\")].reason}{\"\\n\"}{end}";

    private static Task<SandboxHarness> TwoNodesAsync() => SandboxHarness.StartAsync(o =>
    {
        o.Nodes.Clear();
        o.Nodes.Add(new SandboxNode("node-a", "4", "8Gi"));
        o.Nodes.Add(new SandboxNode("node-b", "4", "8Gi"));
    }, fakeTime: true);

    [Fact]
    public async Task StoppedKubelet_NodeUnknownAfter50s_TaintedUnreachable_PodsEvictedAfter300s_TaintsGoWhenItIsBack()
    {
        await using var sandbox = await TwoNodesAsync();
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        var before = await PodsAsync(kubectl);

        Assert.True(sandbox.Control.StopKubelet("node-a"));
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(49));
        var stillReady = (await kubectl.RunAsync("get", "node", "node-a", "--no-headers")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(1));
        var unknown = (await kubectl.RunAsync("get", "node", "node-a", "--no-headers")).StdOut;
        var describe = (await kubectl.RunAsync("describe", "node", "node-a")).StdOut;
        var tainted = await PodsAsync(kubectl);
        var notReadyEvent = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=NodeNotReady", "-o", "jsonpath={.items[*].message}")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(299));
        var tolerated = await PodsAsync(kubectl);
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(1));
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        var evicted = await PodsAsync(kubectl);

        Assert.True(sandbox.Control.StartKubelet("node-a"));
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var back = (await kubectl.RunAsync("get", "node", "node-a", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason} taints={.spec.taints}")).StdOut;

        Assert.Equal(["node-a True ", "node-b True "], before); // spread by default, one each
        Assert.Contains(" Ready ", stillReady, StringComparison.Ordinal);
        Assert.Contains(" NotReady ", unknown, StringComparison.Ordinal);
        Assert.Matches(@"\nTaints: +node\.kubernetes\.io/unreachable:NoExecute\n +node\.kubernetes\.io/unreachable:NoSchedule\n", describe);
        Assert.Matches(@"\n  Ready +Unknown +.+ +NodeStatusUnknown +Kubelet stopped posting node status\.\n", describe);
        Assert.Equal(["node-a False ", "node-b True "], tainted);
        Assert.Equal("Node is not ready", notReadyEvent);
        Assert.Equal(["node-a False ", "node-b True "], tolerated);
        // Evicted (its kubelet is gone, so it stays Terminating) and made again on node-b, which is Ready.
        Assert.Equal(["node-a False DeletionByTaintManager", "node-b True ", "node-b True "], evicted);
        Assert.Equal("KubeletReady taints=", back);
    }

    [Fact]
    public async Task NodeReportingNotReady_IsTaintedNotReady_NewPodsKeepOff_UntilItIsReadyAgain_ACordonIsTaintedToo()
    {
        await using var sandbox = await TwoNodesAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");

        await SetReadyAsync(kubectl, "node-b", "False");
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx:1.27", "--replicas=0");
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","resources":{"requests":{"cpu":"1500m"}}}]}}}}""");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var taints = (await kubectl.RunAsync("get", "node", "node-b", "-o", "jsonpath={range .spec.taints[*]}{.key}:{.effect} {.timeAdded}{\"\\n\"}{end}")).StdOut;
        var pending = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}")).StdOut;
        await SetReadyAsync(kubectl, "node-b", "True");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var untainted = (await kubectl.RunAsync("get", "node", "node-b", "-o", "jsonpath={.spec.taints}")).StdOut;
        var nodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[*].spec.nodeName}")).StdOut;
        await kubectl.RunAsync("cordon", "node-a");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var cordoned = (await kubectl.RunAsync("get", "node", "node-a", "-o", "jsonpath={range .spec.taints[*]}{.key}:{.effect}{end}")).StdOut;
        await kubectl.RunAsync("uncordon", "node-a");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var uncordoned = (await kubectl.RunAsync("get", "node", "node-a", "-o", "jsonpath={.spec.taints}")).StdOut;

        Assert.Equal("node.kubernetes.io/not-ready:NoSchedule \nnode.kubernetes.io/not-ready:NoExecute 2026-05-01T12:00:00Z\n", taints);
        Assert.Equal(
            "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. "
            + "preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            pending);
        Assert.Equal("", untainted);
        Assert.Equal(["node-a", "node-a", "node-b"], nodes.Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal("node.kubernetes.io/unschedulable:NoSchedule", cordoned);
        Assert.Equal("", uncordoned);
    }

    [Fact]
    public async Task CreatedPods_GetTheDefaultTolerations_UnlessTheyTolerateTheTaintsAlready()
    {
        await using var sandbox = await TwoNodesAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("run", "web", "-n", "shop", "--image=nginx:1.27");
        await kubectl.RunAsync("run", "agent", "-n", "shop", "--image=agent:1", "--overrides",
            """{"spec":{"tolerations":[{"operator":"Exists"},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":30}]}}""");

        var web = (await kubectl.RunAsync("get", "pod", "web", "-n", "shop", "-o", "yaml")).StdOut;
        var agent = (await kubectl.RunAsync("get", "pod", "agent", "-n", "shop", "-o", "jsonpath={.spec.tolerations}")).StdOut;

        Assert.Contains("""
              tolerations:
              - effect: NoExecute
                key: node.kubernetes.io/not-ready
                operator: Exists
                tolerationSeconds: 300
              - effect: NoExecute
                key: node.kubernetes.io/unreachable
                operator: Exists
                tolerationSeconds: 300
            """.Replace("\r", "", StringComparison.Ordinal), web, StringComparison.Ordinal);
        Assert.Equal("""[{"operator":"Exists"},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists","tolerationSeconds":30}]""", agent);
    }

    private static Task<KubectlResult> SetReadyAsync(Kubectl kubectl, string node, string status) =>
        kubectl.RunAsync("patch", "node", node, "--subresource=status", "--type=strategic", "-p",
            "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + status + "\",\"reason\":\"" + (status == "True" ? "KubeletReady" : "KubeletNotReady") + "\"}]}}");

    private static async Task<List<string>> PodsAsync(Kubectl kubectl) =>
        [.. (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", PodRows)).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
}
