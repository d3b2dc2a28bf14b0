using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// A Deployment's revision history as the deployment controller keeps it in its ReplicaSets: the annotations the new
/// ReplicaSet copies from the Deployment (<c>kubernetes.io/change-cause</c> among them, what <c>kubectl rollout
/// history</c> shows), and which old ReplicaSets fall beyond <c>revisionHistoryLimit</c>.
/// </summary>
internal static class DeploymentHistory
{
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";

    // sync.go's maxRevHistoryLengthInChars: the revision-history annotation stays under this.
    private const int MaxRevisionHistoryChars = 2000;

    // deployment/util annotationsToSkip: the controller's own bookkeeping and kubectl apply's record stay where they are.
    private static readonly HashSet<string> s_notCopied =
    [
        "kubectl.kubernetes.io/last-applied-configuration", WorkloadState.RevisionAnnotation, RevisionHistoryAnnotation,
        WorkloadState.DesiredReplicasAnnotation, WorkloadState.MaxReplicasAnnotation, "deprecated.deployment.rollback.to",
    ];

    /// <summary>
    /// copyDeploymentAnnotationsToReplicaSet: the Deployment's annotations the ReplicaSet lacks or holds otherwise
    /// (never a removal). Empty when the new ReplicaSet is up to date.
    /// </summary>
    public static Dictionary<string, string> AnnotationsToCopy(JsonObject? deployment, JsonObject? replicaSet)
    {
        var have = replicaSet?["metadata"]?["annotations"] as JsonObject;
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in deployment?["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (!s_notCopied.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var text)
                && (have?[key] is not JsonValue existing || !existing.TryGetValue<string>(out var held) || held != text))
            {
                copy[key] = text;
            }
        }

        return copy;
    }

    /// <summary>
    /// SetNewReplicaSetAnnotations on a ReplicaSet renumbered as the newest (a rollout undo back to it): its former
    /// revision joins revision-history ("1,3"), the oldest dropped to stay within 2000 characters.
    /// </summary>
    public static string? RevisionHistory(string? existing, int formerRevision)
    {
        var former = formerRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (string.IsNullOrEmpty(existing))
        {
            return former;
        }

        var revisions = existing.Split(',');
        var length = existing.Length + former.Length + 1;
        var start = 0;
        while (length > MaxRevisionHistoryChars && start < revisions.Length)
        {
            length -= revisions[start].Length + 1;
            start++;
        }

        return length <= MaxRevisionHistoryChars ? string.Join(',', revisions[start..].Append(former)) : existing;
    }

    /// <summary>
    /// DeploymentComplete on the Deployment's stored status: all its replicas updated and available, its spec seen.
    /// rolloutRolling and rolloutRecreate clean up old ReplicaSets only then.
    /// </summary>
    public static bool IsComplete(WorkloadState deployment, JsonObject? stored)
    {
        var desired = deployment.Replicas;
        return JsonPaths.GetInt(stored, "status.updatedReplicas") == desired
            && JsonPaths.GetInt(stored, "status.replicas") == desired
            && JsonPaths.GetInt(stored, "status.availableReplicas") is { } available && available == desired
            && (JsonPaths.GetInt(stored, "status.observedGeneration") ?? 0) >= deployment.Generation;
    }

    /// <summary>
    /// cleanupDeployment: of the live old ReplicaSets, the oldest revisions beyond revisionHistoryLimit (unset: apps/v1's
    /// 10) go, each only if it is at 0 replicas in spec and status and its status has seen its spec.
    /// </summary>
    public static IEnumerable<WorkloadState> BeyondLimit(JsonObject? deployment, IEnumerable<ReplicaSetSize> oldSets)
    {
        var limit = JsonPaths.GetInt(deployment, "spec.revisionHistoryLimit") ?? 10;
        if (limit == int.MaxValue)
        {
            return []; // HasRevisionHistoryLimit: MaxInt32 keeps them all
        }

        var alive = oldSets.Where(s => !s.ReplicaSet.Deleting).ToList();
        var surplus = alive.Count - Math.Max(0, limit);
        if (surplus <= 0)
        {
            return [];
        }

        // ReplicaSetsByRevision: by revision, then as ReplicaSetsByCreationTimestamp.
        return alive
            .OrderBy(s => s.ReplicaSet.RolloutRevision)
            .ThenBy(s => s.ReplicaSet.Created, StringComparer.Ordinal)
            .ThenBy(s => s.ReplicaSet.Name, StringComparer.Ordinal)
            .Take(surplus)
            .Where(s => s.Replicas == 0 && s.ReplicaSet.Replicas == 0 && s.ReplicaSet.StatusReplicas == 0
                && s.ReplicaSet.Generation <= s.ReplicaSet.ObservedGeneration)
            .Select(s => s.ReplicaSet);
    }
}
