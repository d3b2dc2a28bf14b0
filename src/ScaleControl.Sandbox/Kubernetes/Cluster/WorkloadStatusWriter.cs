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
        var stamp = Timestamps.Format(time.GetUtcNow());
        var pods = operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of).Where(p => !p.Terminating).ToLookup(p => p.OwnerUid ?? "");
        var replicaSets = operations.Store.Project(BuiltInResources.ReplicaSets.Storage, WorkloadState.Of);
        foreach (var replicaSet in replicaSets)
        {
            var owned = pods[replicaSet.Uid].ToList();
            Write(BuiltInResources.ReplicaSets, replicaSet, status =>
            {
                status["replicas"] = owned.Count;
                status["fullyLabeledReplicas"] = owned.Count;
                status["readyReplicas"] = owned.Count(p => p.Ready);
                status["availableReplicas"] = owned.Count(p => p.Ready);
                status["observedGeneration"] = replicaSet.Generation;
            });
        }

        foreach (var deployment in operations.Store.Project(BuiltInResources.Deployments.Storage, DeploymentState.Of))
        {
            var owned = replicaSets.Where(r => r.OwnerUid == deployment.Workload.Uid).ToList();
            var current = PodObjects.CurrentReplicaSet(deployment.Workload, owned);
            var all = owned.SelectMany(r => pods[r.Uid]).ToList();
            var updated = current is null ? 0 : pods[current.Uid].Count();
            Write(BuiltInResources.Deployments, deployment.Workload, status => WriteDeployment(status, deployment, current?.Name, all, updated, stamp));
        }

        foreach (var statefulSet in operations.Store.Project(BuiltInResources.StatefulSets.Storage, WorkloadState.Of))
        {
            Write(BuiltInResources.StatefulSets, statefulSet, status => WriteStatefulSet(status, statefulSet, pods[statefulSet.Uid].ToList()));
        }
    }

    private static void WriteDeployment(JsonObject status, DeploymentState deployment, string? newReplicaSet, List<PodState> pods, int updated, string stamp)
    {
        var desired = deployment.Workload.Replicas;
        var available = pods.Count(p => p.Ready);
        status["observedGeneration"] = deployment.Workload.Generation;
        status["replicas"] = pods.Count;
        status["updatedReplicas"] = updated;
        status["readyReplicas"] = available;
        status["availableReplicas"] = available;
        status["unavailableReplicas"] = desired > available ? desired - available : null;
        if (status["unavailableReplicas"] is null)
        {
            status.Remove("unavailableReplicas");
        }

        var conditions = status["conditions"] as JsonArray ?? [];
        var minimum = desired - deployment.MaxUnavailable;
        SetCondition(conditions, "Available", available >= minimum,
            available >= minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            available >= minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", stamp);
        var complete = updated == desired && pods.Count == desired && available == desired;
        SetCondition(conditions, "Progressing", true,
            complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            complete ? $"ReplicaSet \"{newReplicaSet}\" has successfully progressed." : $"ReplicaSet \"{newReplicaSet}\" is progressing.", stamp);
        status["conditions"] = conditions;
    }

    private static void WriteStatefulSet(JsonObject status, WorkloadState statefulSet, List<PodState> pods)
    {
        var updateRevision = $"{statefulSet.Name}-{statefulSet.TemplateHash}";
        var outdated = pods.Where(p => p.Revision != updateRevision).GroupBy(p => p.Revision).OrderByDescending(g => g.Count()).FirstOrDefault();
        var currentRevision = outdated?.Key ?? updateRevision;
        status["observedGeneration"] = statefulSet.Generation;
        status["replicas"] = pods.Count;
        status["readyReplicas"] = pods.Count(p => p.Ready);
        status["availableReplicas"] = pods.Count(p => p.Ready);
        status["currentReplicas"] = pods.Count(p => p.Revision == currentRevision);
        status["updatedReplicas"] = pods.Count(p => p.Revision == updateRevision);
        status["currentRevision"] = currentRevision;
        status["updateRevision"] = updateRevision;
        status["collisionCount"] = 0;
    }

    // As the controllers' SetDeploymentCondition: the transition time moves only when the status flips.
    private static void SetCondition(JsonArray conditions, string type, bool value, string reason, string message, string stamp)
    {
        var status = value ? "True" : "False";
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);
        if (existing is not null && (string?)existing["status"] == status && (string?)existing["reason"] == reason && (string?)existing["message"] == message)
        {
            return;
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastUpdateTime"] = stamp,
            ["lastTransitionTime"] = existing is not null && (string?)existing["status"] == status ? existing["lastTransitionTime"]?.DeepClone() : stamp,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }

    private void Write(ResourceType type, WorkloadState workload, Action<JsonObject> change) =>
        operations.WriteStatus(type, workload.Namespace, workload.Name, workload.Uid, change);

    /// <summary>A Deployment and how many of its pods a rolling update may take down (maxUnavailable, 25% by default).</summary>
    private sealed record DeploymentState(WorkloadState Workload, int MaxUnavailable)
    {
        public static DeploymentState Of(JsonObject o)
        {
            var workload = WorkloadState.Of(o);
            var value = o["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"];
            var maxUnavailable = value switch
            {
                _ when JsonPaths.GetString(o, "spec.strategy.type") == "Recreate" => 0,
                JsonValue v when v.TryGetValue<int>(out var n) => n,
                JsonValue v when v.TryGetValue<string>(out var s) && s.EndsWith('%')
                    && int.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent) => workload.Replicas * percent / 100,
                null => workload.Replicas / 4,
                _ => 0,
            };
            return new DeploymentState(workload, Math.Clamp(maxUnavailable, 0, workload.Replicas));
        }
    }
}
