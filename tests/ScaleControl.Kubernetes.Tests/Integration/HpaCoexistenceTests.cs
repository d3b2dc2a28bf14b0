using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Kubernetes.Workloads;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class HpaCoexistenceTests
{
    private static readonly WorkloadRef s_web = new("shop", "Deployment", "web");

    [Fact]
    public async Task GetAsync_HpaTargetsWorkload_ReportsHpaBounds()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 2, maxReplicas: 20);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "other-hpa", "other", minReplicas: 1, maxReplicas: 5);
        var node = sandbox.CreateNode();

        var state = await node.Workloads.GetAsync(s_web, CancellationToken.None);

        Assert.Equal(new HpaInfo("web-hpa", 2, 20, null), state!.Hpa);
    }

    [Fact]
    public async Task ScaleAsync_HpaOwnsWorkload_RaisesMinReplicasRecordsOriginalAndNeverTouchesScale()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 2, maxReplicas: 20);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 8, state.ResourceVersion, "hot event", "p-1"), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        Assert.True(result.ViaHpa);
        Assert.Equal(8, result.Replicas);
        var hpa = sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web-hpa")!;
        Assert.Equal(8, (int)hpa["spec"]!["minReplicas"]!);
        Assert.Equal("2", (string?)hpa["metadata"]!["annotations"]![KubernetesWorkloadClient.OriginalMinReplicasAnnotation]);
        Assert.DoesNotContain(sandbox.Control.Journal, e => e.Resource == "deployments/scale" && e.Verb != "get");

        // The HPA controller, not ScaleControl, moves the replicas up to the new floor.
        sandbox.Control.ReconcileNow();
        Assert.Equal(8, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task ScaleAsync_ScaleDownUnderHpa_RestoresOriginalMinReplicasAndDropsAnnotation()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 3, maxReplicas: 20);
        var node = sandbox.CreateNode();
        await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 10, null, "hot event", "p-1"), CancellationToken.None);
        await Eventually.TrueAsync(
            async () => (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.Hpa!.MinReplicas == 10,
            "the raised floor is in the cache");

        var raisedAgain = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 6, null, "cooling", "p-2"), CancellationToken.None);
        Assert.Equal(6, raisedAgain.Replicas);
        await Eventually.TrueAsync(
            async () => (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.Hpa!.MinReplicas == 6,
            "the lowered floor is in the cache");
        Assert.Equal(3, (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.Hpa!.OriginalMinReplicas);

        var released = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 2, null, "event over", "p-3"), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, released.Outcome);
        Assert.Equal(3, released.Replicas);
        var hpa = sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web-hpa")!;
        Assert.Equal(3, (int)hpa["spec"]!["minReplicas"]!);
        Assert.Null(hpa["metadata"]!["annotations"]?[KubernetesWorkloadClient.OriginalMinReplicasAnnotation]);
    }

    [Fact]
    public async Task ScaleAsync_AboveHpaMax_CapsFloorAtMaxAndSaysSo()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 2, maxReplicas: 12);
        var node = sandbox.CreateNode();

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 40, null, "hot event", null), CancellationToken.None);

        Assert.Equal(12, result.Replicas);
        Assert.Contains("maxReplicas 12", result.Message, StringComparison.Ordinal);
        Assert.Equal(12, (int)sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web-hpa")!["spec"]!["minReplicas"]!);
    }

    [Fact]
    public async Task ScaleAsync_HpaChangedSinceRead_ReturnsConflictInsteadOfOverwriting()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 2, maxReplicas: 12);
        var node = sandbox.CreateNode();
        await node.Workloads.GetAsync(s_web, CancellationToken.None);

        // The HPA's owner edits it; block the watch so the cache still holds the old version when we write (for longer
        // than a starved machine takes to write).
        using var slowWatch = sandbox.Control.InjectFault(new() { Verb = "watch", Resource = "horizontalpodautoscalers", Latency = Patience.Of(5) });
        sandbox.Control.DropWatches();
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web-hpa", "web", minReplicas: 4, maxReplicas: 12);

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 9, null, "hot event", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Conflict, result.Outcome);
        Assert.True(result.ViaHpa);
        Assert.Equal(4, (int)sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web-hpa")!["spec"]!["minReplicas"]!);
    }
}
