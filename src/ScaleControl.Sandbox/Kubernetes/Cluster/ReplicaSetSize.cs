namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// One of a Deployment's ReplicaSets as the deployment controller sizes it in a pass: its spec.replicas (which the
/// pass may change), its available pods, and whether the pass scaled it (so its desired/max-replicas annotations are
/// rewritten, as scaleReplicaSet does).
/// </summary>
internal sealed class ReplicaSetSize(WorkloadState replicaSet, int available)
{
    public WorkloadState ReplicaSet { get; } = replicaSet;

    public int Replicas { get; private set; } = replicaSet.Replicas;

    public int Available { get; } = available;

    public bool Scaled { get; private set; }

    public bool Active => Replicas > 0;

    /// <summary>As scaleReplicaSetAndRecordEvent: false (and nothing written) when the size is already that.</summary>
    public bool ScaleTo(int replicas)
    {
        if (replicas == Replicas)
        {
            return false;
        }

        Replicas = replicas;
        Scaled = true;
        return true;
    }

    /// <summary>As scaleReplicaSet from scale(): the annotations are brought up to date even when the size stays.</summary>
    public void ScaleAndAnnotate(int replicas)
    {
        Replicas = replicas;
        Scaled = true;
    }

    /// <summary>ReplicaSetsByCreationTimestamp: oldest first, then by name.</summary>
    public static IOrderedEnumerable<ReplicaSetSize> Oldest(IEnumerable<ReplicaSetSize> sets) =>
        sets.OrderBy(r => r.ReplicaSet.Created, StringComparer.Ordinal).ThenBy(r => r.ReplicaSet.Name, StringComparer.Ordinal);
}
