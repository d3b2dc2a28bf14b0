using ScaleControl.Core.Capacity;

namespace ScaleControl.Core.Ports;

/// <summary>A workload in a namespace: kind Deployment or StatefulSet.</summary>
public sealed record WorkloadRef(string Namespace, string Kind, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>The HPA that owns a workload, when there is one.</summary>
public sealed record HpaInfo(string Name, int? MinReplicas, int MaxReplicas, int? OriginalMinReplicas)
{
    /// <summary>
    /// The HPA owner's own minReplicas: the original kept while ScaleControl has raised it, else the one in force
    /// (Kubernetes' default 1 when unset). ScaleControl raises the HPA's floor and restores it, never goes below it.
    /// </summary>
    public int OwnMinReplicas => OriginalMinReplicas ?? MinReplicas ?? 1;

    /// <summary>
    /// The floor a scale-down to <paramref name="desired"/> would leave on this HPA (never below <see cref="OwnMinReplicas"/>),
    /// or null when that is not below the floor in force: the write would change nothing (or raise the floor), so
    /// below the running count the HPA decides, not ScaleControl. An HPA that kept 8 with its own 6 restored made an
    /// "8 → 6" proposal on every evaluation whose apply only set minReplicas 6 again.
    /// </summary>
    public int? ScaleDownFloor(int desired)
    {
        var floor = Math.Max(desired, OwnMinReplicas);
        return floor < (MinReplicas ?? 1) ? floor : null;
    }
}

/// <summary>What the cluster says about a workload right now; <see cref="PodRequests"/> per replica, from the pod template (null when unknown).</summary>
public sealed record WorkloadState(
    WorkloadRef Ref,
    int SpecReplicas,
    int ReadyReplicas,
    string ResourceVersion,
    string? Uid,
    TimeSpan? ObservedStartupTime,
    HpaInfo? Hpa,
    PodResources? PodRequests = null);

/// <summary>A scale write. <see cref="ExpectedResourceVersion"/> makes it conditional (never a blind write).</summary>
public sealed record ScaleRequest(
    WorkloadRef Target,
    int Replicas,
    string? ExpectedResourceVersion,
    string Reason,
    string? ProposalName);

public enum ScaleOutcome
{
    Applied,

    /// <summary>The workload changed since the decision (409); re-read and re-check before trying again.</summary>
    Conflict,

    NotFound,
    Failed,
}

public sealed record ScaleResult(ScaleOutcome Outcome, int? Replicas, string Message, bool ViaHpa = false, string? ResourceVersion = null)
{
    public bool Succeeded => Outcome == ScaleOutcome.Applied;
}

/// <summary>Reads and scales workloads (Kubernetes scale subresource, or HPA bounds when an HPA owns the workload).</summary>
public interface IWorkloadClient
{
    Task<WorkloadState?> GetAsync(WorkloadRef target, CancellationToken cancellationToken);

    Task<ScaleResult> ScaleAsync(ScaleRequest request, CancellationToken cancellationToken);
}
