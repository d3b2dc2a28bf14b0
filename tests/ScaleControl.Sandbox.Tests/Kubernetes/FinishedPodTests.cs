using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Pods whose phase is Failed or Succeeded, reached as on a real cluster by a write to the pods/status subresource
/// (what a kubelet sends when it evicts a pod), with real kubectl on a fake clock. A StatefulSet deletes and creates
/// them again (1.32's processReplica), OrderedReady one at a time; a ReplicaSet no longer counts them and makes a new
/// pod, leaving the finished one (FilterActivePods).
/// </summary>
public sealed class FinishedPodTests
{
    private const string StatefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: shop}
        spec:
          replicas: 2
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec:
              containers: [{name: db, image: "postgres:16"}]
        """;

    private const string PodRows = "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.metadata.uid}{\"\\n\"}{end}";

    [Fact]
    public async Task StatefulSetPodThatFailed_IsDeletedAndCreatedAgain_WithTheControllersEvents()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await StatefulSetAsync(sandbox);
        var before = await PodsAsync(kubectl, "app=db");

        await FinishAsync(kubectl, "db-1", "Failed");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var recreated = await PodsAsync(kubectl, "app=db");
        var events = (await kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "involvedObject.kind=StatefulSet,involvedObject.name=db",
            "-o", "jsonpath={range .items[*]}{.type} {.reason} {.source.component}: {.message}{\"\\n\"}{end}")).StdOut;
        Settle(sandbox);
        var running = await PodsAsync(kubectl, "app=db");

        Assert.Equal("Pending", recreated["db-1"].Phase);
        Assert.NotEqual(before["db-1"].Uid, recreated["db-1"].Uid);
        Assert.Equal(before["db-0"].Uid, recreated["db-0"].Uid);
        var lines = events.Split('\n');
        Assert.Contains("Warning RecreatingFailedPod statefulset-controller: StatefulSet shop/db is recreating failed Pod db-1", lines);
        Assert.Contains("Normal SuccessfulDelete statefulset-controller: delete Pod db-1 in StatefulSet db successful", lines);
        Assert.Equal(2, lines.Count(l => l == "Normal SuccessfulCreate statefulset-controller: create Pod db-1 in StatefulSet db successful"));
        Assert.All(running.Values, p => Assert.Equal("Running", p.Phase));
    }

    [Fact]
    public async Task StatefulSetPodThatSucceeded_IsCreatedAgain_WithANormalEvent()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await StatefulSetAsync(sandbox);
        var before = await PodsAsync(kubectl, "app=db");

        await FinishAsync(kubectl, "db-0", "Succeeded");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var recreated = await PodsAsync(kubectl, "app=db");
        var described = (await kubectl.RunAsync("describe", "sts", "db", "-n", "shop")).StdOut;

        Assert.NotEqual(before["db-0"].Uid, recreated["db-0"].Uid);
        Assert.Matches(@"Normal\s+RecreatingTerminatedPod\s+\S+\s+statefulset-controller\s+StatefulSet shop/db is recreating terminated Pod db-0", described);
    }

    [Fact]
    public async Task OrderedReadyStatefulSet_RecreatesTheLowestFailedPodFirst_AndTheNextOnceItIsReady()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await StatefulSetAsync(sandbox);

        await FinishAsync(kubectl, "db-0", "Failed");
        await FinishAsync(kubectl, "db-1", "Failed");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var first = await PodsAsync(kubectl, "app=db");
        RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5)); // db-0 turns ready after this pass looked
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var second = await PodsAsync(kubectl, "app=db");

        Assert.Equal(("Pending", "Failed"), (first["db-0"].Phase, first["db-1"].Phase));
        Assert.Equal(("Running", "Pending"), (second["db-0"].Phase, second["db-1"].Phase));
    }

    [Fact]
    public async Task ReplicaSetPodThatFailed_StaysFailed_AndANewPodTakesItsPlace()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 2);
        var before = await PodsAsync(kubectl, "app=web");
        var failed = before.Keys.First();

        await FinishAsync(kubectl, failed, "Failed");
        Settle(sandbox);
        var pods = await PodsAsync(kubectl, "app=web");
        var deployment = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.status.replicas} {.status.readyReplicas}")).StdOut;
        var replicaSet = (await kubectl.RunAsync("describe", "rs", "-n", "shop", "-l", "app=web")).StdOut;
        var replacement = Assert.Single(pods.Keys.Except(before.Keys));

        Assert.Equal(3, pods.Count);
        Assert.Equal("Failed", pods[failed].Phase);
        Assert.Equal("Running", pods[replacement].Phase);
        Assert.Equal("2 2", deployment);
        Assert.Matches(@"Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: " + replacement, replicaSet);
    }

    private static async Task<Kubectl> StatefulSetAsync(SandboxHarness sandbox)
    {
        var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "-f", kubectl.WriteFile("sts.yaml", StatefulSet));
        Settle(sandbox);
        return kubectl;
    }

    // The kubelet's word that a pod's containers are done: a merge patch of the status subresource.
    private static Task<KubectlResult> FinishAsync(Kubectl kubectl, string pod, string phase) =>
        kubectl.RunAsync("patch", "pod", pod, "-n", "shop", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"" + phase + "\"}}");

    // Enough passes, 5 s apart, for two OrderedReady pods to start one after the other.
    private static void Settle(SandboxHarness sandbox)
    {
        for (var i = 0; i < 6; i++)
        {
            RolloutSandbox.Pass(sandbox, TimeSpan.FromSeconds(5));
        }
    }

    private static async Task<Dictionary<string, Pod>> PodsAsync(Kubectl kubectl, string selector) =>
        (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", selector, "-o", PodRows)).StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(f => f[0], f => new Pod(f[1], f[2]), StringComparer.Ordinal);

    private sealed record Pod(string Phase, string Uid);
}
