using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The tiny cluster behind the API: an HPA controller that keeps targets within their bounds, the workload
/// controllers that keep pods at spec.replicas, the scheduler that binds them to nodes (ready after
/// <see cref="SandboxKubernetesOptions.PodStartupDelay"/>), the status they show in the workloads, the Endpoints and
/// EndpointSlices of the Services, and the apiserver's own default/kubernetes Service.
/// Writes only on change, so an idle cluster does not move resourceVersions.
/// </summary>
internal sealed class ClusterSimulator(
    ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time,
    WorkloadControllers controllers, PodScheduler scheduler, WorkloadStatusWriter statusWriter,
    EndpointsController endpoints, EndpointSliceController endpointSlices, ApiServerAddress apiServerAddress)
{
    private static readonly ResourceType[] s_workloads = [BuiltInResources.Deployments, BuiltInResources.StatefulSets];

    private readonly Lock _lock = new();

    public void Reconcile()
    {
        lock (_lock)
        {
            RunHpas();
            controllers.Run();
            scheduler.Run();
            statusWriter.Run();
            RunEndpoints();
            KubernetesService.Reconcile(operations, apiServerAddress);
        }
    }

    // Both controllers read one snapshot of the Services and pods, so an Endpoints and its slices agree.
    private void RunEndpoints()
    {
        var services = operations.Store.Project(BuiltInResources.Services.Storage, s => (JsonObject)s.DeepClone());
        var pods = operations.Store.Project(BuiltInResources.Pods.Storage, BackendPod.Of);
        endpoints.Run(services, pods);
        endpointSlices.Run(services, pods);
    }

    private void RunHpas()
    {
        var hpas = operations.Store.List(BuiltInResources.HorizontalPodAutoscalers.Storage, null).Items;
        foreach (var hpa in hpas)
        {
            var ns = JsonPaths.GetString(hpa, "metadata.namespace")!;
            var targetKind = JsonPaths.GetString(hpa, "spec.scaleTargetRef.kind");
            var targetName = JsonPaths.GetString(hpa, "spec.scaleTargetRef.name") ?? "";
            var type = s_workloads.FirstOrDefault(t => t.Kind == targetKind);
            if (type is null || operations.Find(type, ns, targetName) is not { } target)
            {
                continue;
            }

            var current = JsonPaths.GetInt(target, "spec.replicas") ?? 1;
            var min = JsonPaths.GetInt(hpa, "spec.minReplicas") ?? 1;
            var max = JsonPaths.GetInt(hpa, "spec.maxReplicas") ?? current;
            var desired = current;
            if (current > 0)
            {
                // As the real controller: replicas 0 disables the HPA; otherwise it recommends, then clamps to the bounds.
                var context = new HpaRecommendationContext(ns, JsonPaths.GetString(hpa, "metadata.name")!, targetKind!, targetName,
                    current, JsonPaths.GetInt(target, "status.readyReplicas") ?? 0, min, max);
                desired = Math.Clamp(options.HpaRecommendation(context) ?? current, min, Math.Max(min, max));
            }

            var scaled = desired != current;
            if (scaled)
            {
                try
                {
                    operations.UpdateScale(type, ns, targetName, scale =>
                    {
                        scale.Obj("spec")["replicas"] = desired;
                        ((JsonObject)scale["metadata"]!).Remove("resourceVersion");
                        return scale;
                    }, owner: FieldOwner.ControllerManager);
                }
                catch (ApiException)
                {
                    continue; // deleted meanwhile; the next pass sees it
                }
            }

            operations.WriteStatus(BuiltInResources.HorizontalPodAutoscalers, ns, JsonPaths.GetString(hpa, "metadata.name")!,
                JsonPaths.GetString(hpa, "metadata.uid")!, status =>
                {
                    status["currentReplicas"] = JsonPaths.GetInt(target, "status.replicas") ?? 0;
                    status["desiredReplicas"] = desired;
                    if (scaled)
                    {
                        status["lastScaleTime"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    }
                });
        }
    }
}
