using k8s.Models;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>
/// The ready pods of a StatefulSet that serve. Its status.readyReplicas counts a pod being deleted while it is still
/// Running and Ready (the kubelet probes readiness until the containers stop, up to terminationGracePeriodSeconds),
/// though its endpoint is ready=false and takes no traffic: after a scale-down from 10 to 5 the status reads 10 ready
/// for the grace period. The status also tells how many pods terminate: status.replicas counts every created pod,
/// currentReplicas and updatedReplicas only those not terminating (computeReplicaStatus in
/// pkg/controller/statefulset/stateful_set_utils.go, 1.32). Taking the terminating ones off the ready count is exact
/// while they are still Ready (the usual case) and otherwise errs low: capacity is never counted that does not serve.
/// A Deployment needs none of this: its ReplicaSets leave terminating pods out of every count (FilterActivePods).
/// </summary>
public static class StatefulSetReadiness
{
    public static int? Serving(V1StatefulSetStatus? status)
    {
        if (status?.ReadyReplicas is not { } ready)
        {
            return null;
        }

        var live = status.UpdatedReplicas ?? 0;
        if (status.CurrentRevision != status.UpdateRevision)
        {
            live += status.CurrentReplicas ?? 0;
        }

        // No revisions reported (an older or hand-made status): nothing tells the terminating pods apart.
        var terminating = status.UpdateRevision is null ? 0 : Math.Max(0, status.Replicas - live);
        return Math.Max(0, ready - terminating);
    }
}
