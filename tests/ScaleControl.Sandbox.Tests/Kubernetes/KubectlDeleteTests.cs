using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary><c>kubectl delete</c>'s options travel in a DeleteOptions body: a dry run and an orphaning cascade are honoured.</summary>
public sealed class KubectlDeleteTests
{
    [Fact]
    public async Task DeleteDryRunServer_Deployment_KeepsItAndItsPods()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunAsync("delete", "deploy", "web", "-n", "shop", "--dry-run=server");
        var byLabel = await kubectl.RunAsync("delete", "pods", "-n", "shop", "-l", "app=web", "--dry-run=server");
        sandbox.Control.ReconcileNow();

        Assert.Equal("deployment.apps \"web\" deleted (server dry run)", result.StdOut.Trim());
        Assert.Equal(2, byLabel.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith("deleted (server dry run)", StringComparison.Ordinal)));
        Assert.NotNull(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
        Assert.Equal(2, sandbox.Control.List("v1", "Pod", "shop").Count);
    }

    [Fact]
    public async Task DeleteCascadeOrphan_Deployment_LeavesItsReplicaSetAndPodsRunning()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "deploy", "web", "-n", "shop", "--cascade=orphan");
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();
        var replicaSets = sandbox.Control.List("apps/v1", "ReplicaSet", "shop");
        var pods = sandbox.Control.List("v1", "Pod", "shop");

        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "web"));
        var replicaSet = Assert.Single(replicaSets);
        Assert.Null(replicaSet["metadata"]!["ownerReferences"]);
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal(replicaSet["metadata"]!["uid"]!.GetValue<string>(), p["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>()));
    }
}
