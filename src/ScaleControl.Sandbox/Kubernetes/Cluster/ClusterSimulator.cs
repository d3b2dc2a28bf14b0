using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The tiny cluster behind the API: the kubelets ending the pods whose grace period is over (<see cref="PodTermination"/>,
/// first, so a controller sees the room they leave in the same pass), the node lifecycle controller's conditions and
/// taints (<see cref="NodeLifecycleController"/>), the pod garbage collector of lost nodes
/// (<see cref="PodGarbageCollector"/>), the taint eviction controller (<see cref="TaintEvictionController"/>), the HPA controller (<see cref="HpaController"/>), the workload
/// controllers that keep pods at spec.replicas, the garbage collector's foreground deletion, the scheduler that binds them to nodes (ready after
/// <see cref="SandboxKubernetesOptions.PodStartupDelay"/>), the status they show in the workloads, the Endpoints and
/// EndpointSlices of the Services, the PodDisruptionBudgets' status (<see cref="DisruptionController"/>), and the
/// apiserver's own default/kubernetes Service.
/// Writes only on change, so an idle cluster does not move resourceVersions.
/// </summary>
internal sealed class ClusterSimulator(
    ResourceOperations operations, PodTermination termination, NodeLifecycleController nodeLifecycle, PodGarbageCollector podGc, TaintEvictionController taintEviction, HpaController hpas,
    WorkloadControllers controllers, ForegroundDeletion foregroundDeletion, PodScheduler scheduler, WorkloadStatusWriter statusWriter,
    EndpointsController endpoints, EndpointSliceController endpointSlices, DisruptionController disruption, ApiServerAddress apiServerAddress)
{
    private readonly Lock _lock = new();

    public void Reconcile()
    {
        lock (_lock)
        {
            termination.Run();
            nodeLifecycle.Run();
            podGc.Run();
            taintEviction.Run();
            hpas.Run();
            controllers.Run();
            foregroundDeletion.Run();
            scheduler.Run();
            statusWriter.Run();
            disruption.Run();
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
}
