using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kubectl delete --cascade=foreground</c> with real kubectl on a fake clock, as the apiserver and garbage
/// collector do it: the owner stays, marked and with the <c>foregroundDeletion</c> finalizer, until its dependents are
/// gone (a Deployment after its ReplicaSet, which goes after its pods), so a pod held by a finalizer holds them all.
/// </summary>
public sealed class ForegroundDeletionTests
{
    private const string Marks = "jsonpath={.metadata.finalizers} {.metadata.deletionTimestamp}";

    [Fact]
    public async Task DeleteCascadeForeground_KeepsTheDeploymentMarkedUntilTheGarbageCollectorHasDeletedItsReplicaSetAndPods()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);

        var deleted = await kubectl.RunAsync("delete", "deploy", "web", "-n", "shop", "--cascade=foreground", "--wait=false");
        var marked = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", Marks)).StdOut;
        var before = (await kubectl.RunAsync("get", "rs,pods", "-n", "shop", "-o", "name")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var terminating = (await kubectl.RunAsync("get", "deploy,rs,pods", "-n", "shop", "-o", "name")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(30)); // the pods' grace period
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var after = (await kubectl.RunAsync("get", "deploy,rs,pods", "-n", "shop", "-o", "name")).StdOut;

        Assert.Equal("deployment.apps \"web\" deleted\n", deleted.StdOut);
        Assert.Equal("[\"foregroundDeletion\"] 2026-05-01T12:00:05Z", marked);
        Assert.Equal(3, before.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // the ReplicaSet and its two pods
        Assert.Equal(4, terminating.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // all stay while the pods terminate
        Assert.Equal("", after.Trim());
    }

    [Fact]
    public async Task DeleteCascadeForeground_APodHeldByAFinalizer_HoldsItsReplicaSetAndDeploymentUntilReleased()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 1);
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "name")).StdOut.Trim();
        await kubectl.RunAsync("patch", pod, "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":["example.com/hold"]}}""");

        await kubectl.RunAsync("delete", "deploy", "web", "-n", "shop", "--cascade=foreground", "--wait=false");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var held = (await kubectl.RunAsync("get", "deploy,rs,pods", "-n", "shop", "-o",
            "jsonpath={range .items[*]}{.kind} {.metadata.finalizers} {.metadata.deletionTimestamp}{\"\\n\"}{end}")).StdOut;
        await kubectl.RunAsync("patch", pod, "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(30)); // the pod's grace period
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var released = (await kubectl.RunAsync("get", "deploy,rs,pods", "-n", "shop", "-o", "name")).StdOut;

        Assert.Equal(
            "Deployment [\"foregroundDeletion\"] 2026-05-01T12:00:05Z\n"
            + "ReplicaSet [\"foregroundDeletion\"] 2026-05-01T12:00:05Z\n"
            + "Pod [\"example.com/hold\"] 2026-05-01T12:00:35Z\n", // deleted at 12:00:05 with its 30 s grace period
            held);
        Assert.Equal("", released.Trim());
    }
}
