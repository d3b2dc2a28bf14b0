namespace ScaleControl.Core.Capacity;

/// <summary>
/// One schedulable node as the scheduler counts it: allocatable resources and the requests of the pods bound to it
/// (pods that have not finished). <see cref="AllocatablePods"/> 0 means unknown (no pod-count limit applied).
/// </summary>
public sealed record NodeRoom(
    string Name,
    long AllocatableMilliCpu,
    long AllocatableMemoryBytes,
    int AllocatablePods,
    long RequestedMilliCpu,
    long RequestedMemoryBytes,
    int Pods)
{
    public long FreeMilliCpu => Math.Max(0, AllocatableMilliCpu - RequestedMilliCpu);

    public long FreeMemoryBytes => Math.Max(0, AllocatableMemoryBytes - RequestedMemoryBytes);

    /// <summary>How many more pods of <paramref name="pod"/>'s size fit here (the scheduler's NodeResourcesFit, per dimension).</summary>
    public long Fits(PodResources pod)
    {
        var fits = AllocatablePods > 0 ? Math.Max(0, AllocatablePods - Pods) : long.MaxValue;
        if (pod.MilliCpu > 0)
        {
            fits = Math.Min(fits, FreeMilliCpu / pod.MilliCpu);
        }

        if (pod.MemoryBytes > 0)
        {
            fits = Math.Min(fits, FreeMemoryBytes / pod.MemoryBytes);
        }

        return fits;
    }

    /// <summary>How many pods of <paramref name="pod"/>'s size an empty node of this shape holds.</summary>
    public long FitsWhenEmpty(PodResources pod) => (this with { RequestedMilliCpu = 0, RequestedMemoryBytes = 0, Pods = 0 }).Fits(pod);
}

/// <summary>What the cluster's nodes looked like, or why it is not known (no permission, API error).</summary>
public sealed record ClusterRoom(IReadOnlyList<NodeRoom> Nodes, string? Unknown = null)
{
    public static ClusterRoom NotKnown(string why) => new([], why);
}
