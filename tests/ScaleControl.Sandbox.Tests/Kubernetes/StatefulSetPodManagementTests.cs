using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A StatefulSet's podManagementPolicy on a fake clock, as the 1.32 statefulset controller: OrderedReady creates one pod
/// at a time, each once the ones before are Running, Ready and available, and deletes one at a time from the highest
/// ordinal once the one before is gone; Parallel creates and deletes them all at once.
/// </summary>
public sealed class StatefulSetPodManagementTests
{
    private const string Manifest = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: NAME, namespace: shop}
        spec:
          replicas: REPLICAS
          minReadySeconds: MIN_READY
          podManagementPolicy: POLICY
          serviceName: NAME
          selector: {matchLabels: {app: NAME}}
          template:
            metadata: {labels: {app: NAME}}
            spec:
              containers: [{name: NAME, image: "NAME:1"}]
        """;

    [Fact]
    public async Task OrderedReadyScaleUp_CreatesEachPodOnceThePodBeforeIsReady()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await CreateAsync(sandbox, Render("web", 1, "OrderedReady"));
        RunUntilSettled(sandbox);

        await kubectl.RunAsync("scale", "sts/web", "--replicas=3", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // web-1 is created
        var first = await PodsAsync(kubectl, "web");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // web-1 turns ready after this pass looked
        var whileStarting = await PodsAsync(kubectl, "web");
        var status = (await kubectl.RunAsync("rollout", "status", "sts/web", "-n", "shop", "--watch=false")).StdOut;
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // web-1 ready: web-2 is created
        var second = await PodsAsync(kubectl, "web");
        RunUntilSettled(sandbox);
        var done = await PodsAsync(kubectl, "web");
        var rolledOut = (await kubectl.RunAsync("rollout", "status", "sts/web", "-n", "shop", "--watch=false")).StdOut;

        Assert.Equal("web-0 Running True,web-1 Pending False", first);
        Assert.Equal("web-0 Running True,web-1 Running True", whileStarting);
        Assert.Equal("Waiting for 1 pods to be ready...\n", status);
        Assert.Equal("web-0 Running True,web-1 Running True,web-2 Pending False", second);
        Assert.Equal("web-0 Running True,web-1 Running True,web-2 Running True", done);
        Assert.Equal("partitioned roll out complete: 3 new pods have been updated...\n", rolledOut);
    }

    [Fact]
    public async Task OrderedReadyScaleUp_WaitsForMinReadySecondsBeforeTheNextPod()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await CreateAsync(sandbox, Render("db", 2, "OrderedReady", minReadySeconds: 10));
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // db-0 is created
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // and turns ready
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(10)); // ready for 10 s: not yet available (strictly after)
        var notYet = await PodsAsync(kubectl, "db");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(1)); // available: db-1 is created
        var next = await PodsAsync(kubectl, "db");

        Assert.Equal("db-0 Running True", notYet);
        Assert.Equal("db-0 Running True,db-1 Pending False", next);
    }

    [Fact]
    public async Task OrderedReadyScaleDown_DeletesFromTheHighestOrdinalOnceTheOneAboveIsGone()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await CreateAsync(sandbox, Render("web", 3, "OrderedReady"));
        RunUntilSettled(sandbox);
        await kubectl.RunAsync("patch", "pod", "web-2", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":["example.com/hold"]}}""");

        await kubectl.RunAsync("scale", "sts/web", "--replicas=1", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // web-2 is deleted, held by its finalizer
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // web-2 terminating: web-1 waits
        var held = await PodsAsync(kubectl, "web");
        var terminating = (await kubectl.RunAsync("get", "pod", "web-2", "-n", "shop", "-o", "jsonpath={.metadata.deletionTimestamp}")).StdOut;
        await kubectl.RunAsync("patch", "pod", "web-2", "-n", "shop", "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(30)); // web-2's grace period: the kubelet ends it, web-1 goes (terminating)
        var released = await PodsAsync(kubectl, "web");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(30)); // web-1's
        var scaledDown = await PodsAsync(kubectl, "web");

        Assert.Equal("web-0 Running True,web-1 Running True,web-2 Running True", held);
        Assert.NotEqual("", terminating);
        Assert.Equal("web-0 Running True,web-1 Running True", released);
        Assert.Equal("web-0 Running True", scaledDown);
    }

    [Fact]
    public async Task ParallelCreatesAndDeletesAllAtOnce_OrderedReadyBesideItOneAtATime()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await CreateAsync(sandbox, Render("web", 3, "Parallel") + "\n---\n" + Render("db", 3, "OrderedReady"));
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var parallelCreated = await PodsAsync(kubectl, "web");
        var orderedCreated = await PodsAsync(kubectl, "db");
        RunUntilSettled(sandbox);

        await kubectl.RunAsync("scale", "sts/web", "sts/db", "--replicas=1", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(30)); // the deleted pods' grace period: db-2 gone, db-1 terminates
        var parallelDeleted = await PodsAsync(kubectl, "web");
        var orderedDeleted = await PodsAsync(kubectl, "db");

        Assert.Equal("web-0 Pending False,web-1 Pending False,web-2 Pending False", parallelCreated);
        Assert.Equal("db-0 Pending False", orderedCreated);
        Assert.Equal("web-0 Running True", parallelDeleted);
        Assert.Equal("db-0 Running True,db-1 Running True", orderedDeleted);
    }

    private static async Task<Kubectl> CreateAsync(SandboxHarness sandbox, string manifests)
    {
        var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("sts.yaml", manifests));
        return kubectl;
    }

    // Enough passes, 5 s apart, for three OrderedReady pods to start one after the other.
    private static void RunUntilSettled(SandboxHarness sandbox)
    {
        for (var i = 0; i < 8; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }
    }

    private static string Render(string name, int replicas, string policy, int minReadySeconds = 0) => Manifest
        .Replace("NAME", name, StringComparison.Ordinal)
        .Replace("REPLICAS", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("MIN_READY", minReadySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("POLICY", policy, StringComparison.Ordinal);

    // "name phase ready" of each pod of the StatefulSet, by name.
    private static async Task<string> PodsAsync(Kubectl kubectl, string app)
    {
        var text = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", $"app={app}", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}")).StdOut;
        return string.Join(',', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }
}
