using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A StatefulSet's minReadySeconds on a fake clock, as the 1.32 statefulset controller keeps it: availableReplicas counts
/// a pod once ready that long, an OrderedReady rolling update replaces the next pod only then (so <c>kubectl rollout
/// status</c> waits), a Parallel one does not (upstream fixed that only in 1.33), and the apiserver refuses a negative one.
/// </summary>
public sealed class StatefulSetMinReadySecondsTests
{
    private const string Manifest = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: NAME, namespace: shop}
        spec:
          replicas: 3
          minReadySeconds: 10
          podManagementPolicy: POLICY
          serviceName: NAME
          selector: {matchLabels: {app: NAME}}
          template:
            metadata: {labels: {app: NAME}}
            spec:
              terminationGracePeriodSeconds: 0 # a replaced pod goes at once: the passes below count readiness, not termination
              containers: [{name: NAME, image: "NAME:1"}]
        """;

    private const string Counts = "jsonpath={.status.replicas} {.status.readyReplicas} {.status.availableReplicas} {.status.updatedReplicas}";

    [Fact]
    public async Task OrderedReadyRollout_WaitsForEachNewPodToBeAvailable_ParallelOnlyForReady()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("sts.yaml", Render("db", "OrderedReady") + "\n---\n" + Render("cache", "Parallel")));
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // ready, for 0 s of 10
        var justReady = await CountsAsync(kubectl, "cache");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(11));
        var available = await CountsAsync(kubectl, "cache");
        for (var i = 0; i < 10; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // db's pods start one by one, each once the one before is available
        }

        var dbAvailable = await CountsAsync(kubectl, "db");

        await kubectl.RunAsync("set", "image", "sts/db", "db=db:2", "-n", "shop");
        await kubectl.RunAsync("set", "image", "sts/cache", "cache=cache:2", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // the highest ordinal goes
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // and comes back at the new revision
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // ready
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // ready for 5 s of 10
        var waiting = await ImagesAsync(kubectl, "db");
        var waitingCounts = await CountsAsync(kubectl, "db");
        var status = (await kubectl.RunAsync("rollout", "status", "sts/db", "-n", "shop", "--watch=false")).StdOut;
        var parallel = await ImagesAsync(kubectl, "cache");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(6)); // ready for 11 s: db-1 goes
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // and comes back at the new revision
        var moving = await ImagesAsync(kubectl, "db");
        for (var i = 0; i < 12; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }

        var done = await ImagesAsync(kubectl, "db");
        var doneCounts = await CountsAsync(kubectl, "db");
        var rolledOut = (await kubectl.RunAsync("rollout", "status", "sts/db", "-n", "shop", "--watch=false")).StdOut;
        await kubectl.RunAsync("scale", "sts/db", "--replicas=1", "-n", "shop");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // db-2 goes
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero); // then db-1
        var scaledDown = await ImagesAsync(kubectl, "db");

        Assert.Equal("3 3 0 3", justReady);
        Assert.Equal("3 3 3 3", available);
        Assert.Equal("3 3 3 3", dbAvailable);
        Assert.Equal("db-0 db:1,db-1 db:1,db-2 db:2", waiting); // db-2 is ready but not yet available: db-1 stays
        Assert.Equal("3 3 2 1", waitingCounts);
        Assert.Equal("Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...\n", status);
        Assert.Equal("cache-0 cache:1,cache-2 cache:2", parallel); // Parallel replaces cache-1 as soon as cache-2 is ready
        Assert.Equal("db-0 db:1,db-1 db:2,db-2 db:2", moving); // db-2 available: db-1 replaced
        Assert.Equal("db-0 db:2,db-1 db:2,db-2 db:2", done);
        Assert.Equal("3 3 3 3", doneCounts);
        Assert.Equal("partitioned roll out complete: 3 new pods have been updated...\n", rolledOut);
        Assert.Equal("db-0 db:2", scaledDown); // the highest ordinals go, one a pass
    }

    [Fact]
    public async Task NegativeMinReadySeconds_IsRejectedAsTheApiserverDoes()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("sts.yaml", Render("db", "OrderedReady")));

        var negative = await kubectl.RunRawAsync("patch", "sts", "db", "-n", "shop", "-p", """{"spec":{"minReadySeconds":-1}}""");

        Assert.Equal(1, negative.ExitCode);
        Assert.Contains("""The StatefulSet "db" is invalid: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0""", negative.StdErr, StringComparison.Ordinal);
        Assert.Equal("10", (await kubectl.RunAsync("get", "sts", "db", "-n", "shop", "-o", "jsonpath={.spec.minReadySeconds}")).StdOut);
    }

    private static string Render(string name, string policy) =>
        Manifest.Replace("NAME", name, StringComparison.Ordinal).Replace("POLICY", policy, StringComparison.Ordinal);

    private static async Task<string> CountsAsync(Kubectl kubectl, string name) =>
        (await kubectl.RunAsync("get", "sts", name, "-n", "shop", "-o", Counts)).StdOut;

    // "name image" of each pod of the StatefulSet, by name.
    private static async Task<string> ImagesAsync(Kubectl kubectl, string app)
    {
        var text = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", $"app={app}", "-o",
            "jsonpath={range .items[*]}{.metadata.name} {.spec.containers[0].image}{\"\\n\"}{end}")).StdOut;
        return string.Join(',', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }
}
