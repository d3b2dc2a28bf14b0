using k8s;
using k8s.Models;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Tests.Infrastructure;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class WorkloadClientTests
{
    private static readonly WorkloadRef s_web = new("shop", "Deployment", "web");

    [Fact]
    public async Task GetAsync_SeededDeployment_ReadsReplicasReadinessAndIdentity()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var seeded = sandbox.Control.SeedDeployment("shop", "web", replicas: 4, readyReplicas: 3);
        var node = sandbox.CreateNode();

        var state = await node.Workloads.GetAsync(s_web, CancellationToken.None);

        Assert.NotNull(state);
        Assert.Equal(4, state.SpecReplicas);
        Assert.Equal(3, state.ReadyReplicas);
        Assert.Equal((string?)seeded["metadata"]!["resourceVersion"], state.ResourceVersion);
        Assert.Equal((string?)seeded["metadata"]!["uid"], state.Uid);
        Assert.Null(state.Hpa);
    }

    [Fact]
    public async Task ScaleAsync_ResourceVersionStillCurrent_WritesScaleSubresourceWithIt()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 6, state.ResourceVersion, "qps rising", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        Assert.Equal(6, result.Replicas);
        Assert.False(result.ViaHpa);
        Assert.Equal(6, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
        var write = Assert.Single(sandbox.Control.Journal, e => e.Verb is "update" or "patch");
        Assert.Equal(("update", "deployments/scale"), (write.Verb, write.Resource));
    }

    [Fact]
    public async Task GetAsync_RightAfterOwnScale_SeesTheWrittenCountAndItsVersionTakesTheNextConditionalWrite()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;

        var first = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 6, state.ResourceVersion, "step 1", "p-1"), CancellationToken.None);
        // No wait for the watch: a second step right after the first (Undo all through two rows) reads what it left.
        var after = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;

        Assert.Equal((6, first.ResourceVersion), (after.SpecReplicas, after.ResourceVersion));
        var second = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 4, after.ResourceVersion, "step 2", "p-2"), CancellationToken.None);
        Assert.Equal(ScaleOutcome.Applied, second.Outcome);
        Assert.Equal(4, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
        Assert.Equal(4, (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.SpecReplicas);
    }

    [Fact]
    public async Task GetAsync_SomeoneScalesAfterOurWrite_TheirCountWinsOnceTheWatchDeliversIt()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;
        await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 6, state.ResourceVersion, "step 1", "p-1"), CancellationToken.None);

        var other = await node.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "web", "shop");

        await Eventually.TrueAsync(
            async () => (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.ResourceVersion == other.Metadata.ResourceVersion,
            "the watch delivered the other writer's change");
        Assert.Equal(3, (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.SpecReplicas);
    }

    [Fact]
    public async Task ScaleAsync_WorkloadChangedSinceDecision_ReturnsConflictAndReReadSucceeds()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var decidedOn = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;

        // Someone else (kubectl scale, a deploy) changes the workload after the decision was made.
        var other = await node.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "web", "shop");
        var stale = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 8, decidedOn.ResourceVersion, "qps rising", "p-1"), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Conflict, stale.Outcome);
        Assert.Equal(3, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);

        await Eventually.TrueAsync(
            async () => (await node.Workloads.GetAsync(s_web, CancellationToken.None))!.ResourceVersion == other.Metadata.ResourceVersion,
            "the watch delivered the other writer's change");
        var reread = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;
        Assert.Equal(3, reread.SpecReplicas);
        var retried = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 8, reread.ResourceVersion, "qps rising", "p-1"), CancellationToken.None);
        Assert.Equal(ScaleOutcome.Applied, retried.Outcome);
        Assert.Equal(8, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task ScaleAsync_StatefulSet_UsesItsScaleSubresource()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedStatefulSet("shop", "db", replicas: 1, readyReplicas: 1);
        var node = sandbox.CreateNode();
        var target = new WorkloadRef("shop", "StatefulSet", "db");
        var state = (await node.Workloads.GetAsync(target, CancellationToken.None))!;

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(target, 3, state.ResourceVersion, "schedule", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        Assert.Equal(3, (int)sandbox.Control.Get("apps/v1", "StatefulSet", "shop", "db")!["spec"]!["replicas"]!);
        Assert.Contains(sandbox.Control.Journal, e => e is { Verb: "update", Resource: "statefulsets/scale" });
    }

    [Fact]
    public async Task GetAsync_StatefulSetScaledDown_CountsReadyOnlyThePodsThatAreNotTerminating()
    {
        // An hour's grace period on the sandbox's real clock: the deleted pods stay Terminating for the whole test.
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedStatefulSet("shop", "db", replicas: 3, readyReplicas: 3, podManagementPolicy: "Parallel", terminationGracePeriodSeconds: 3600);
        sandbox.Control.ReconcileNow();
        var node = sandbox.CreateNode();
        var target = new WorkloadRef("shop", "StatefulSet", "db");

        await node.Client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch("{\"spec\":{\"replicas\":1}}", V1Patch.PatchType.MergePatch), "db", "shop");
        sandbox.Control.ReconcileNow(); // deletes db-1 and db-2, which terminate
        sandbox.Control.ReconcileNow(); // the status counts them as upstream's computeReplicaStatus does
        var status = (await node.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", "shop")).Status;

        Assert.Equal((3, 3, 1), (status.Replicas, status.ReadyReplicas, status.UpdatedReplicas));
        await Eventually.TrueAsync(async () => (await node.Workloads.GetAsync(target, CancellationToken.None))!.ReadyReplicas == 1,
            "ScaleControl reads 1 ready replica, not the 3 the status counts");
        Assert.Equal(1, (await node.Workloads.GetAsync(target, CancellationToken.None))!.SpecReplicas);
    }

    [Fact]
    public async Task ScaleAsync_UnknownWorkload_ReturnsNotFoundWithoutWriting()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var node = sandbox.CreateNode();

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 3, "1", "qps", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.NotFound, result.Outcome);
        Assert.DoesNotContain(sandbox.Control.Journal, e => e.Verb is "update" or "patch");
        Assert.Null(await node.Workloads.GetAsync(s_web, CancellationToken.None));
    }

    [Fact]
    public async Task ScaleAsync_NegativeReplicas_FailsBeforeAnyRequest()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, -1, null, "bad", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Failed, result.Outcome);
        Assert.Contains(">= 0", result.Message, StringComparison.Ordinal);
    }
}
