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

/// <summary>
/// What the cluster's nodes looked like, or why it is not known (no permission, API error). <see cref="Waiting"/>:
/// pods already asked for and not yet scheduled (Pending, no node), by size; they take the free room before any
/// pod a new change asks for.
/// </summary>
public sealed record ClusterRoom(IReadOnlyList<NodeRoom> Nodes, string? Unknown = null, IReadOnlyList<WaitingPods>? Waiting = null)
{
    public static ClusterRoom NotKnown(string why) => new([], why);

    /// <summary>How many pods wait for a node.</summary>
    public int WaitingCount => Waiting?.Sum(w => w.Count) ?? 0;

    /// <summary>
    /// The nodes once the waiting pods are placed, largest first, each on the first node with room (the scheduler's
    /// choice is not modelled; one-size fit per dimension is, as for new pods). A waiting pod that fits nowhere takes nothing.
    /// </summary>
    public IReadOnlyList<NodeRoom> NodesAfterWaiting()
    {
        if (Waiting is not { Count: > 0 } waiting)
        {
            return Nodes;
        }

        var nodes = Nodes.ToArray();
        foreach (var group in waiting.OrderByDescending(w => w.Pod.MilliCpu).ThenByDescending(w => w.Pod.MemoryBytes))
        {
            var left = group.Count;
            for (var i = 0; i < nodes.Length && left > 0; i++)
            {
                var placed = (int)Math.Min(left, nodes[i].Fits(group.Pod));
                if (placed <= 0)
                {
                    continue;
                }

                nodes[i] = nodes[i] with
                {
                    RequestedMilliCpu = nodes[i].RequestedMilliCpu + (placed * group.Pod.MilliCpu),
                    RequestedMemoryBytes = nodes[i].RequestedMemoryBytes + (placed * group.Pod.MemoryBytes),
                    Pods = nodes[i].Pods + placed,
                };
                left -= placed;
            }
        }

        return nodes;
    }
}

/// <summary><paramref name="Count"/> pods of one size waiting for a node (phase Pending, not bound).</summary>
public sealed record WaitingPods(PodResources Pod, int Count);
