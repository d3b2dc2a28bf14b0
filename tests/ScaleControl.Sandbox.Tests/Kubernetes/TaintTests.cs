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
}
