using System.Diagnostics;
using System.Net;
using ScaleControl.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Fault injection and the request journal (test hooks, not part of the Kubernetes API).</summary>
public sealed class TestHookTests
{
    [Fact]
    public async Task Throttle_MatchingRequests_Get429WithRetryAfterThenRecover()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        sandbox.Control.InjectFault(SandboxFault.Throttle(TimeSpan.FromSeconds(3), times: 1) with { Resource = "deployments/scale" });

        using var throttled = await sandbox.Http.GetAsync("apis/apps/v1/namespaces/shop/deployments/web/scale");
        var unaffected = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        var recovered = await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), throttled.Headers.RetryAfter?.Delta);
        Assert.Contains("\"reason\":\"TooManyRequests\"", await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("web", unaffected.Metadata.Name);
        Assert.Equal(2, recovered.Spec.Replicas);
    }

    [Fact]
    public async Task ServerError_UntilDisposed_FailsWritesButNotReads()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        var patch = new V1Patch(new { spec = new { replicas = 3 } }, V1Patch.PatchType.MergePatch);

        using (sandbox.Control.InjectFault(SandboxFault.ServerError(503) with { Method = "PATCH" }))
        {
            for (var i = 0; i < 2; i++)
            {
                var ex = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, "web", "shop"));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.Response.StatusCode);
            }

            await sandbox.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", "shop");
        }

        Assert.Equal(3, (await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, "web", "shop")).Spec.Replicas);
    }

    [Fact]
    public async Task Latency_DelaysMatchingRequests()
    {
        // On the sandbox's fake clock the latency is exact, and a request it does not match is answered while the
        // clock stands still: nothing here depends on how fast the machine runs.
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        sandbox.Control.InjectFault(SandboxFault.Slow(TimeSpan.FromMilliseconds(300)) with { PathContains = "/deployments/web" });

        var slow = sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");
        await sandbox.Client.AppsV1.ListNamespacedDeploymentAsync("shop").WaitAsync(Patience.Of(10));
        var heldWhileTheClockStood = !slow.IsCompleted;
        var waited = Stopwatch.StartNew();
        while (!slow.IsCompleted && waited.Elapsed < Patience.Of(10))
        {
            sandbox.Time!.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(slow, Task.Delay(20));
        }

        await slow.WaitAsync(TimeSpan.Zero);
        var journal = sandbox.Control.Journal;
        var read = Assert.Single(journal, e => e is { Verb: "get", Resource: "deployments", Name: "web" });
        var list = Assert.Single(journal, e => e is { Verb: "list", Resource: "deployments" });
        Assert.True(heldWhileTheClockStood);
        Assert.True(read.Time - read.Received >= TimeSpan.FromMilliseconds(300), $"held for {read.Time - read.Received}");
        Assert.Equal<TimeSpan?>(TimeSpan.Zero, list.Time - list.Received);
    }

    [Fact]
    public async Task Seed_MultiDocumentYaml_StoresTypedObjectsAndKeepsSeededStatus()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);

        var seeded = sandbox.Control.Seed("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {version: "2"}}
            spec:
              replicas: 4
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: "web:1"}]}
            status: {readyReplicas: 4, replicas: 4}
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: shop}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 2
              maxReplicas: 6
            """);
        var cluster = sandbox.Server.Services.GetRequiredService<ScaleControl.Sandbox.ISandboxCluster>();
        var deployment = await sandbox.Client.AppsV1.ReadNamespacedDeploymentAsync("web", "shop");

        Assert.Equal(2, seeded.Count);
        Assert.Equal((4, 4, "2"), (deployment.Spec.Replicas, deployment.Status.ReadyReplicas, deployment.Metadata.Labels["version"]));
        Assert.Equal((4, 4), (cluster.GetDesiredReplicas("shop", "web"), cluster.GetReadyReplicas("shop", "web")));
        Assert.Equal(6, (await sandbox.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("web", "shop")).Spec.MaxReplicas);
    }

    [Fact]
    public async Task Journal_RecordsRbacTermsContentTypeAndStatus()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 2);
        sandbox.Control.ClearJournal();

        await sandbox.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch(new { spec = new { replicas = 3 } }, V1Patch.PatchType.MergePatch), "web", "shop", fieldManager: "scalecontrol");
        await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.CoordinationV1.ReadNamespacedLeaseAsync("leader", "ops"));
        await sandbox.Http.GetAsync("version");

        var entries = sandbox.Control.Journal;
        Assert.Equal(3, entries.Count);
        var patch = entries[0];
        Assert.Equal(("PATCH", "patch", "apps", "deployments/scale", "shop", "web", 200),
            (patch.Method, patch.Verb, patch.ApiGroup, patch.Resource, patch.Namespace, patch.Name, patch.StatusCode));
        Assert.StartsWith("application/merge-patch+json", patch.ContentType, StringComparison.Ordinal);
        Assert.Equal("?fieldManager=scalecontrol", patch.Query);
        Assert.Equal("/apis/apps/v1/namespaces/shop/deployments/web/scale", patch.Path);
        Assert.Equal(("get", "coordination.k8s.io", "leases", 404), (entries[1].Verb, entries[1].ApiGroup, entries[1].Resource, entries[1].StatusCode));
        Assert.Equal(("/version", ""), (entries[2].Path, entries[2].Resource));
    }
}
