namespace ScaleControl.Core.Pods;

/// <summary>
/// What the cluster says about one pod of a workload, as far as readiness goes: whether it is Ready or on its way out,
/// whether the scheduler has placed it (and if not, its PodScheduled=False reason and message as the scheduler wrote
/// them), and the containers that wait (init containers first) with the kubelet's reason.
/// </summary>
public sealed record PodFacts(
    string Name,
    bool Ready,
    bool Terminating,
    bool Bound,
    string? NotScheduledReason,
    string? NotScheduledMessage,
    IReadOnlyList<ContainerWaiting> Waiting);

/// <summary>A container in state waiting: the kubelet's reason (<c>ImagePullBackOff</c>, <c>CrashLoopBackOff</c>, <c>ContainerCreating</c>…) and message.</summary>
public sealed record ContainerWaiting(string Container, string Reason, string? Message);
