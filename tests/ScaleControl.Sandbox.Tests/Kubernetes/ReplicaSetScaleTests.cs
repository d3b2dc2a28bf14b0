using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// apps/v1 serves <c>replicasets/scale</c>, so with real kubectl on a fake clock <c>kubectl scale rs</c> and
/// <c>kubectl autoscale rs</c> work on a ReplicaSet of its own, as on a real cluster.
/// </summary>
public sealed class ReplicaSetScaleTests
{
    private const string ReplicaSet = """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata: {name: lone, namespace: shop}
        spec:
          replicas: 1
          selector: {matchLabels: {app: lone}}
          template:
            metadata: {labels: {app: lone}}
            spec:
              containers: [{name: lone, image: "nginx:1.27"}]
        """;

    [Fact]
    public async Task ScaleReplicaSet_ThroughItsScaleSubresource_MakesThePods()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await LoneAsync(sandbox);

        var scaled = await kubectl.RunAsync("scale", "rs", "lone", "-n", "shop", "--replicas=3");
        var stale = await kubectl.RunRawAsync("scale", "rs", "lone", "-n", "shop", "--current-replicas=1", "--replicas=2");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        var scale = (await kubectl.RunAsync("get", "--raw", "/apis/apps/v1/namespaces/shop/replicasets/lone/scale")).StdOut;
        var pods = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-l", "app=lone", "-o", "name")).StdOut;

        Assert.Equal("replicaset.apps/lone scaled\n", scaled.StdOut);
        Assert.Equal("error: Expected replicas to be 1, was 3", stale.StdErr.Trim());
        Assert.Contains("\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\"", scale, StringComparison.Ordinal);
        Assert.Contains("\"spec\":{\"replicas\":3},\"status\":{\"replicas\":3,\"selector\":\"app=lone\"}", scale, StringComparison.Ordinal);
        Assert.Equal(3, pods.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task AutoscaleReplicaSet_CreatesAnHpaThatKeepsItAtItsMinimum()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await LoneAsync(sandbox);

        var autoscaled = await kubectl.RunAsync("autoscale", "rs", "lone", "-n", "shop", "--min=2", "--max=4");
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);

        Assert.Equal("horizontalpodautoscaler.autoscaling/lone autoscaled\n", autoscaled.StdOut);
        Assert.Equal(2, await kubectl.ReplicasAsync("rs", "shop", "lone"));
    }

    [Fact]
    public async Task ScaleStatusSelector_IsTheWholeSelectorAsTheApiserverPrintsIt_ExpressionsToo()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("rs.yaml", """
            apiVersion: apps/v1
            kind: ReplicaSet
            metadata: {name: api, namespace: shop}
            spec:
              replicas: 1
              selector:
                matchLabels: {tier: web}
                matchExpressions: [{key: app, operator: In, values: [api, edge]}, {key: canary, operator: DoesNotExist}]
              template:
                metadata: {labels: {app: api, tier: web}}
                spec:
                  containers: [{name: api, image: "nginx:1.27"}]
            """));

        var selector = (await kubectl.RunAsync("get", "--raw", "/apis/apps/v1/namespaces/shop/replicasets/api/scale")).StdOut;

        Assert.Contains("\"selector\":\"app in (api,edge),!canary,tier=web\"", selector, StringComparison.Ordinal);
    }

    private static async Task<Kubectl> LoneAsync(SandboxHarness sandbox)
    {
        var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("rs.yaml", ReplicaSet));
        RolloutSandbox.Pass(sandbox, TimeSpan.Zero);
        return kubectl;
    }
}
