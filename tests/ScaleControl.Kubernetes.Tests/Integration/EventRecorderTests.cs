using k8s;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class EventRecorderTests
{
    private static readonly WorkloadRef s_web = new("shop", "Deployment", "web");

    [Fact]
    public async Task RecordAsync_OnDeployment_IsFoundByKubectlDescribesFieldSelector()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        var deployment = sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var uid = (string)deployment["metadata"]!["uid"]!;
        var node = sandbox.CreateNode();

        await node.Events.RecordAsync(s_web, ScaleEventReasons.ScaledByScaleControl, "Scaled from 2 to 4 replicas (proposal p-1)", warning: false, CancellationToken.None);

        var events = await node.Client.CoreV1.ListNamespacedEventAsync(
            "shop", fieldSelector: $"involvedObject.name=web,involvedObject.namespace=shop,involvedObject.kind=Deployment,involvedObject.uid={uid}");
        var recorded = Assert.Single(events.Items);
        Assert.Equal(ScaleEventReasons.ScaledByScaleControl, recorded.Reason);
        Assert.Equal("Normal", recorded.Type);
        Assert.Equal("apps/v1", recorded.InvolvedObject.ApiVersion);
        Assert.Equal("scalecontrol", recorded.Source.Component);
    }

    [Fact]
    public async Task RecordAsync_SameEventRepeated_AggregatesIntoOneEventWithCount()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();

        for (var i = 0; i < 3; i++)
        {
            await node.Events.RecordAsync(s_web, ScaleEventReasons.TargetManagedByHpa, "HPA web-hpa owns the workload", warning: true, CancellationToken.None);
        }

        await node.Events.RecordAsync(s_web, ScaleEventReasons.ScaleFailed, "conflict", warning: true, CancellationToken.None);

        var events = (await node.Client.CoreV1.ListNamespacedEventAsync("shop")).Items;
        Assert.Equal(2, events.Count);
        var aggregated = Assert.Single(events, e => e.Reason == ScaleEventReasons.TargetManagedByHpa);
        Assert.Equal(3, aggregated.Count);
        Assert.Equal("Warning", aggregated.Type);
    }

    [Fact]
    public async Task RecordAsync_ApiFails_DoesNotThrow()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        using var broken = sandbox.Control.InjectFault(SandboxFault.ServerError(500) with { Resource = "events" });

        await node.Events.RecordAsync(s_web, ScaleEventReasons.ScaleFailed, "conflict", warning: true, CancellationToken.None);
        await node.Events.RecordAsync(new WorkloadRef("shop", "Deployment", "missing"), ScaleEventReasons.ScaleFailed, "gone", warning: true, CancellationToken.None);

        Assert.Contains(sandbox.Control.Journal, e => e is { Resource: "events", StatusCode: 500 });
    }
}
