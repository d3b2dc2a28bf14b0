using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl taint nodes</c>, as the scheduler's TaintToleration filter reads it: new pods keep off a node with a
/// NoSchedule taint they do not tolerate (an SRE fencing a bad node), FailedScheduling names the taints, and a
/// matching toleration lets a pod on. Real kubectl 1.32.4 on a fake clock.
/// </summary>
public sealed class TaintTests
{
    [Fact]
    public async Task TaintedNodes_KeepUntoleratingPodsOff_AndATolerationLetsThemOn()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "4", "8Gi"));
            o.Nodes.Add(new SandboxNode("node-b", "4", "8Gi"));
        }, fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");

        var tainted = await kubectl.RunAsync("taint", "nodes", "node-a", "dedicated=db:NoSchedule");
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx:1.27", "--replicas=4");
        sandbox.Control.ReconcileNow();
        var webNodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", "app=web", "-o", "jsonpath={.items[*].spec.nodeName}")).StdOut;

        await kubectl.RunAsync("taint", "nodes", "node-b", "disk=bad:NoSchedule");
        await kubectl.RunAsync("create", "deployment", "db", "-n", "shop", "--image=postgres:17", "--replicas=1");
        sandbox.Control.ReconcileNow();
        var pending = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}")).StdOut;

        await kubectl.RunAsync("patch", "deploy", "db", "-n", "shop", "-p",
            """{"spec":{"template":{"spec":{"tolerations":[{"key":"dedicated","operator":"Equal","value":"db","effect":"NoSchedule"}]}}}}""");
        for (var i = 0; i < 3; i++)
        {
            sandbox.Control.ReconcileNow();
        }

        var dbNodes = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", "app=db", "--field-selector", "status.phase!=Failed", "-o",
            "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}")).StdOut;

        Assert.Equal("node/node-a tainted\n", tainted.StdOut);
        Assert.Equal("node-b node-b node-b node-b", webNodes);
        Assert.Equal(
            "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {disk: bad}. "
            + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
            pending);
        Assert.Contains("node-a", dbNodes.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task NoExecuteTaint_EvictsUntoleratingPods_AndTolerantOnesAfterTheirTolerationSeconds()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "4", "8Gi"));
            o.Nodes.Add(new SandboxNode("node-b", "4", "8Gi"));
        }, fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        // A CPU request each, so the scheduler's LeastAllocated puts one web and one agent pod on each node.
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx:1.27", "--replicas=0");
        await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "-p",
            """{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"nginx","resources":{"requests":{"cpu":"1"}}}]}}}}""");
        await kubectl.RunAsync("create", "deployment", "agent", "-n", "shop", "--image=agent:1", "--replicas=0");
        await kubectl.RunAsync("patch", "deploy", "agent", "-n", "shop", "-p",
            """{"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"agent","resources":{"requests":{"cpu":"1"}}}],"tolerations":[{"key":"evac","operator":"Exists","effect":"NoExecute","tolerationSeconds":30}]}}}}""");
        sandbox.Control.ReconcileNow();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5)); // running and ready
        sandbox.Control.ReconcileNow();
        const string OnNodeA = "jsonpath={range .items[?(@.spec.nodeName==\"node-a\")]}{.metadata.labels.app} {.metadata.deletionTimestamp} {.status.conditions[?(@.type==\"DisruptionTarget\")].reason}{\"\\n\"}{end}";
        var before = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", OnNodeA)).StdOut;

        await kubectl.RunAsync("taint", "nodes", "node-a", "evac=now:NoExecute");
        sandbox.Control.ReconcileNow();
        var tainted = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", OnNodeA)).StdOut;
        var events = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=TaintManagerEviction", "-o", "jsonpath={.items[*].message}")).StdOut;
        sandbox.Time!.Advance(TimeSpan.FromSeconds(29));
        sandbox.Control.ReconcileNow();
        var tolerated = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", OnNodeA)).StdOut;
        sandbox.Time!.Advance(TimeSpan.FromSeconds(1));
        sandbox.Control.ReconcileNow();
        var expired = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", OnNodeA)).StdOut;

        Assert.Equal(["agent  ", "web  "], Lines(before));
        // Deleted with its own grace period (30 s): deletionTimestamp is when it ends.
        Assert.Equal(["agent  ", "web 2026-05-01T12:00:35Z DeletionByTaintManager"], Lines(tainted));
        Assert.StartsWith("Marking for deletion Pod shop/web-", events, StringComparison.Ordinal);
        Assert.Equal(["agent  ", "web 2026-05-01T12:00:35Z DeletionByTaintManager"], Lines(tolerated));
        // Its replacement tolerates the taint too, so it may land on node-a again (its own 30 s start then).
        Assert.Contains("agent 2026-05-01T12:01:05Z DeletionByTaintManager", Lines(expired));
    }

    private static List<string> Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
}
