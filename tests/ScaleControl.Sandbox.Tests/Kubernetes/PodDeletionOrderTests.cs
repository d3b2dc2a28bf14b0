using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Which pods a scale-down removes, with real kubectl on a fake clock, as upstream's getPodsToDelete ranks them:
/// the pod-deletion-cost annotation, then pods on a crowded node, then more restarts, before age.
/// </summary>
public sealed class PodDeletionOrderTests
{
    private const string PodNodes = "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.containerStatuses[0].restartCount} {.status.phase} {.metadata.deletionTimestamp}{\"\\n\"}{end}";

    [Fact]
    public async Task ScaleDown_DeletesTheLowestPodDeletionCostFirst()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 3);
        var names = (await PodsAsync(kubectl)).Select(p => p.Name).ToList();
        await kubectl.RunAsync("annotate", "pod", names[0], "-n", "shop", "controller.kubernetes.io/pod-deletion-cost=-5");
        await kubectl.RunAsync("annotate", "pod", names[2], "-n", "shop", "controller.kubernetes.io/pod-deletion-cost=10");

        await kubectl.RunAsync("scale", "deploy/web", "--replicas=1", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);

        Assert.Equal([names[2]], (await PodsAsync(kubectl)).Select(p => p.Name)); // -5 went first, then the unannotated one
    }

    [Fact]
    public async Task ScaleDown_DeletesFromTheNodeWithMorePodsOfTheDeployment_EvenAnOlderPod()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using (var admin = new Kubectl(sandbox.Server.BaseUri))
        {
            await admin.RunAsync("cordon", "sandbox-node-2", "sandbox-node-3"); // the scheduler would spread them
        }

        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        var crowded = (await PodsAsync(kubectl)).Select(p => p.Node).Distinct().Single();
        await kubectl.RunAsync("uncordon", "sandbox-node-2", "sandbox-node-3");
        await kubectl.RunAsync("cordon", crowded);
        await kubectl.RunAsync("scale", "deploy/web", "--replicas=3", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        var spread = await PodsAsync(kubectl);

        await kubectl.RunAsync("scale", "deploy/web", "--replicas=2", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var left = await PodsAsync(kubectl);

        Assert.Equal(2, spread.Count(p => p.Node == crowded));
        var newest = spread.Single(p => p.Node != crowded);
        Assert.Contains(newest, left); // the youngest pod stays: it is alone on its node
        Assert.Equal([crowded, newest.Node], left.Select(p => p.Node).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ScaleDown_AmongCrashingPods_DeletesTheOneWithMoreRestarts_EvenTheOlder()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", "crash", "--image=busybox", "-n", "shop", "--", "false");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        for (var i = 0; i < 12; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var older = (await PodsAsync(kubectl)).Single();
        await kubectl.RunAsync("scale", "deploy/crash", "--replicas=2", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(1));
        var both = await PodsAsync(kubectl);
        var newer = both.Single(p => p.Name != older.Name);

        await kubectl.RunAsync("scale", "deploy/crash", "--replicas=1", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var left = await PodsAsync(kubectl);

        Assert.All(both, p => Assert.Equal("Running", p.Phase)); // both started and crash, neither is ready
        Assert.True(both.Single(p => p.Name == older.Name).Restarts > newer.Restarts, string.Join("; ", both));
        Assert.Equal([newer.Name], left.Select(p => p.Name));
    }

    // The pods not being deleted.
    private static async Task<List<Pod>> PodsAsync(Kubectl kubectl) =>
        [.. (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", PodNodes)).StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Where(f => f[4].Length == 0) // the pods a scale-down deleted terminate for their grace period: these are the ones kept
            .Select(f => new Pod(f[0], f[1], int.TryParse(f[2], out var restarts) ? restarts : 0, f[3]))
            .OrderBy(p => p.Name, StringComparer.Ordinal)];

    private sealed record Pod(string Name, string Node, int Restarts, string Phase);
}
