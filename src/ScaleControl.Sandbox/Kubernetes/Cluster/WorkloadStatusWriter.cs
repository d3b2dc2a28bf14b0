using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The status the controllers write from the pods: counts, observedGeneration, revisions, and a Deployment's
/// Available and Progressing conditions (what <c>kubectl wait</c> and <c>kubectl rollout status</c> read).
/// Unchanged status is not rewritten, so an idle cluster does not move resourceVersions.
/// </summary>
internal sealed class WorkloadStatusWriter(ResourceOperations operations, TimeProvider time)
{
    public void Run()
    {
        var now = time.GetUtcNow();
        var all = operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of);
        var statefulPods = all.ToLookup(p => p.OwnerUid ?? ""); // computeReplicaStatus counts terminating pods too
        var live = all.Where(p => !p.Terminating).ToList();
        var pods = live.Where(p => !p.HasFinished).ToLookup(p => p.OwnerUid ?? ""); // a ReplicaSet's FilterActivePods
        var replicaSets = operations.Store.Project(BuiltInResources.ReplicaSets.Storage, WorkloadState.Of);
        foreach (var replicaSet in replicaSets)
        {
            var owned = pods[replicaSet.Uid].ToList();
            Write(BuiltInResources.ReplicaSets, replicaSet, status =>
            {
                status["replicas"] = owned.Count;
                status["fullyLabeledReplicas"] = owned.Count;
                status["readyReplicas"] = owned.Count(p => p.Ready);
                status["availableReplicas"] = owned.Count(p => p.IsAvailable(replicaSet.MinReadySeconds, now)); // calculateStatus
                status["observedGeneration"] = replicaSet.Generation;
            });
        }

        foreach (var deployment in operations.Store.Project(BuiltInResources.Deployments.Storage, o => (Workload: WorkloadState.Of(o), Strategy: DeploymentStrategy.Of(o))))
        {
            var owned = replicaSets.Where(r => r.OwnerUid == deployment.Workload.Uid).ToList();
            var current = PodObjects.CurrentReplicaSet(deployment.Workload, owned);
            var counts = new DeploymentCounts(
                owned.Sum(r => pods[r.Uid].Count()),
                current is null ? 0 : pods[current.Uid].Count(),
                owned.Sum(r => pods[r.Uid].Count(p => p.Ready)),
                owned.Sum(r => pods[r.Uid].Count(p => p.IsAvailable(r.MinReadySeconds, now))),
                owned.Sum(r => r.Replicas));
            Write(BuiltInResources.Deployments, deployment.Workload, status =>
                DeploymentStatus.Write(status, deployment.Workload, deployment.Strategy, current?.Name, counts, now));
        }

        foreach (var statefulSet in operations.Store.Project(BuiltInResources.StatefulSets.Storage, WorkloadState.Of))
        {
            Write(BuiltInResources.StatefulSets, statefulSet, status => WriteStatefulSet(status, statefulSet, statefulPods[statefulSet.Uid].ToList(), now));
        }
    }

    // As 1.32's computeReplicaStatus: replicas, readyReplicas (isRunningAndReady) and availableReplicas count a terminating
    // pod too (it is still created, and Ready until its containers stop), currentReplicas and updatedReplicas do not.
    private static void WriteStatefulSet(JsonObject status, WorkloadState statefulSet, List<PodState> pods, DateTimeOffset now)
    {
        var updateRevision = $"{statefulSet.Name}-{statefulSet.TemplateHash}";
        var live = pods.Where(p => !p.Terminating).ToList();
        var outdated = live.Where(p => p.Revision != updateRevision).GroupBy(p => p.Revision).OrderByDescending(g => g.Count()).FirstOrDefault();
        var currentRevision = outdated?.Key ?? updateRevision;
        var runningAndReady = pods.Where(p => p.Ready && p.Phase == "Running").ToList();
        status["observedGeneration"] = statefulSet.Generation;
        status["replicas"] = pods.Count;
        status["readyReplicas"] = runningAndReady.Count;
        status["availableReplicas"] = runningAndReady.Count(p => p.IsAvailable(statefulSet.MinReadySeconds, now));
        status["currentReplicas"] = live.Count(p => p.Revision == currentRevision);
        status["updatedReplicas"] = live.Count(p => p.Revision == updateRevision);
        status["currentRevision"] = currentRevision;
        status["updateRevision"] = updateRevision;
        status["collisionCount"] = 0;
    }

    private void Write(ResourceType type, WorkloadState workload, Action<JsonObject> change) =>
        operations.WriteStatus(type, workload.Namespace, workload.Name, workload.Uid, change);
}
