using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>The tiny cluster: pod start-up lag behind spec.replicas, and the HPA controller loop.</summary>
public sealed class ClusterSimulationTests
{
    [Fact]
    public async Task ScaleUp_ReadyReplicasLagUntilStartupDelayPasses()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.PodStartupDelay = TimeSpan.FromSeconds(20), fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        var cluster = sandbox.Server.Services.GetRequiredService<ISandboxCluster>();

        await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(new { spec = new { replicas = 5 } }, V1Patch.PatchType.MergePatch), "web", "shop");
        sandbox.Control.ReconcileNow();
        var justScaled = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        sandbox.Time!.Advance(TimeSpan.FromSeconds(19));
        sandbox.Control.ReconcileNow();
        var almost = cluster.GetReadyReplicas("shop", "web");
        sandbox.Time.Advance(TimeSpan.FromSeconds(1));
        sandbox.Control.ReconcileNow();
        var started = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");

        Assert.Equal((5, 2, 5, 2), (justScaled.Status.Replicas, justScaled.Status.ReadyReplicas, justScaled.Status.UpdatedReplicas, justScaled.Status.ObservedGeneration));
        Assert.Equal(2, almost);
        Assert.Equal((5, 5), (started.Status.ReadyReplicas, started.Status.AvailableReplicas));
        Assert.Equal((5, 5), (cluster.GetDesiredReplicas("shop", "web"), cluster.GetReadyReplicas("shop", "web")));
        Assert.Null(cluster.GetReadyReplicas("shop", "ghost"));
    }

    [Fact]
    public async Task ScaleDown_OrderedReadyRemovesOnePodAPass_EachOnceTheOneAboveIsGone()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedStatefulSet("shop", "db", 3, readyReplicas: 3);
        sandbox.Control.ReconcileNow();

        await sandbox.Client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch(new { spec = new { replicas = 1 } }, V1Patch.PatchType.MergePatch), "db", "shop");
        sandbox.Control.ReconcileNow();
        var first = await sandbox.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", "shop");
        sandbox.Time!.Advance(TimeSpan.FromSeconds(30)); // db-2's grace period
        sandbox.Control.ReconcileNow();
        var second = await sandbox.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", "shop");
        sandbox.Time.Advance(TimeSpan.FromSeconds(30));
        sandbox.Control.ReconcileNow();
        var third = await sandbox.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", "shop");

        // As 1.32's computeReplicaStatus: a terminating pod still counts in replicas and readyReplicas, not in updatedReplicas.
        Assert.Equal((3, 3, 2), (first.Status.Replicas, first.Status.ReadyReplicas, first.Status.UpdatedReplicas));
        Assert.Equal((2, 2, 1), (second.Status.Replicas, second.Status.ReadyReplicas, second.Status.UpdatedReplicas));
        Assert.Equal((1, 1, 1), (third.Status.Replicas, third.Status.ReadyReplicas, third.Status.UpdatedReplicas));
    }

    [Fact]
    public async Task Reconcile_NothingChanged_DoesNotMoveResourceVersion()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.ReconcileNow();
        var before = sandbox.Control.ResourceVersion;

        sandbox.Control.ReconcileNow();

        Assert.Equal(before, sandbox.Control.ResourceVersion);
    }

    [Fact]
    public async Task HpaLoop_ReplicasOutsideBounds_AreClampedLikeTheRealController()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1, readyReplicas: 1);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web", "web", 3, 6);

        sandbox.Control.ReconcileNow();
        var raised = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");
        await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(new { spec = new { replicas = 10 } }, V1Patch.PatchType.MergePatch), "web", "shop");
        sandbox.Control.ReconcileNow();
        var lowered = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");
        var hpa = await sandbox.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", "shop");

        Assert.Equal(3, raised.Spec.Replicas);
        Assert.Equal(6, lowered.Spec.Replicas);
        Assert.Equal(6, hpa.Status.DesiredReplicas);
        Assert.NotNull(hpa.Status.LastScaleTime);
    }

    [Fact]
    public async Task HpaLoop_RecommendationHook_DrivesReplicasWithinBounds()
    {
        var recommendation = 4;
        await using var sandbox = await SandboxHarness.StartAsync(o => o.HpaRecommendation = _ => recommendation, fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web", "web", 2, 8);

        sandbox.Control.ReconcileNow();
        var followed = (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!;
        recommendation = 50;
        sandbox.Control.ReconcileNow();
        var capped = (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!;

        Assert.Equal((4, 8), (followed, capped));
    }

    [Fact]
    public async Task HpaLoop_RaisingMinReplicasThroughTheApi_ScalesTheTarget()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2);
        sandbox.Control.SeedHorizontalPodAutoscaler("shop", "web", "web", 2, 10);
        sandbox.Control.ReconcileNow();

        await sandbox.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
            new V1Patch(new { spec = new { minReplicas = 5 } }, V1Patch.PatchType.MergePatch), "web", "shop", fieldManager: "scalecontrol");
        sandbox.Control.ReconcileNow();

        Assert.Equal(5, (await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop")).Spec.Replicas);
    }

    [Fact]
    public async Task ControllerLoop_InRealTime_ConvergesWithoutManualReconcile()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.PodStartupDelay = TimeSpan.FromMilliseconds(100);
            o.ControllerInterval = TimeSpan.FromMilliseconds(20);
        });
        sandbox.Control.SeedDeployment("shop", "web", 3);

        var deadline = DateTimeOffset.UtcNow + Patience.Of(10);
        V1Deployment deployment;
        do
        {
            await Task.Delay(50);
            deployment = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        }
        while (deployment.Status?.ReadyReplicas != 3 && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(3, deployment.Status?.ReadyReplicas);
    }
}
