namespace ScaleControl.Core.Capacity;

/// <summary>
/// The cost and room of a change from <c>from</c> to <c>to</c> replicas of pods of one size: a pure function of the
/// pod template's requests, the nodes' free requests and the prices, so every channel shows the same numbers.
/// Pods of one size fit node by node (the scheduler's per-node resource fit), so the sum over nodes is exact for
/// requests; taints, affinity and spreading are not modelled (they can only make fewer pods fit).
/// </summary>
public static class CapacityCalculator
{
    private const decimal BytesPerGiB = 1024m * 1024 * 1024;

    public static CapacityEstimate Estimate(int from, int to, PodResources? perPod, ClusterRoom? cluster, CostPrices prices, DateTimeOffset now)
    {
        var pods = to - from;
        var estimate = new CapacityEstimate { Pods = pods, AssessedAt = now };
        if (perPod is null)
        {
            return estimate with { Note = "the pod template's requests are not known" };
        }

        estimate = estimate with
        {
            MilliCpu = pods * perPod.MilliCpu,
            MemoryBytes = pods * perPod.MemoryBytes,
            CostPerHour = Cost(pods, perPod, prices),
            Currency = prices.IsSet ? prices.Currency : null,
        };
        if (pods <= 0)
        {
            return estimate with { Room = RoomVerdict.Frees };
        }

        if (perPod.IsEmpty)
        {
            return estimate with { Room = RoomVerdict.NoRequests };
        }

        if (cluster is null || cluster.Unknown is not null || cluster.Nodes.Count == 0)
        {
            return estimate with { Room = RoomVerdict.Unknown, Note = cluster?.Unknown ?? "no schedulable nodes were seen" };
        }

        // Pods asked earlier and still waiting for a node are placed first: the room they take is not this change's.
        var nodes = cluster.NodesAfterWaiting();
        var placeable = nodes.Sum(n => Math.Min(n.Fits(perPod), pods));
        var fitting = (int)Math.Min(placeable, pods);
        estimate = estimate with
        {
            Fitting = fitting,
            Pending = pods - fitting,
            FreeMilliCpu = nodes.Sum(n => n.FreeMilliCpu),
            FreeMemoryBytes = nodes.Sum(n => n.FreeMemoryBytes),
            Nodes = nodes.Count,
            AlreadyPending = cluster.WaitingCount > 0 ? cluster.WaitingCount : null,
        };
        if (fitting == pods)
        {
            return estimate with { Room = RoomVerdict.Fits };
        }

        var perNewNode = CommonShape(cluster.Nodes).FitsWhenEmpty(perPod);
        return perNewNode <= 0
            ? estimate with { Room = RoomVerdict.Short, Note = "one pod requests more than a whole node of the cluster's common shape" }
            : estimate with { Room = RoomVerdict.Short, NodesNeeded = (int)Math.Ceiling((pods - fitting) / (double)perNewNode) };
    }

    /// <summary>
    /// The share of <paramref name="asked"/> that a smaller step of <paramref name="pods"/> pods makes (an approval of
    /// fewer replicas than proposed): requests and cost in proportion; pods of one size fit node by node, so of a
    /// smaller step min(fitting, pods) fit, and the nodes still needed are at most those of the whole.
    /// </summary>
    public static CapacityEstimate Part(CapacityEstimate asked, int pods)
    {
        if (asked.Pods <= 0 || pods <= 0 || pods >= asked.Pods)
        {
            return asked;
        }

        var fitting = asked.Fitting is { } whole ? Math.Min(whole, pods) : (int?)null;
        var pending = fitting is { } fit ? pods - fit : (int?)null;
        var stillShort = asked.Room == RoomVerdict.Short && pending > 0;
        return asked with
        {
            Pods = pods,
            MilliCpu = asked.MilliCpu * pods / asked.Pods,
            MemoryBytes = asked.MemoryBytes * pods / asked.Pods,
            CostPerHour = asked.CostPerHour is { } cost ? decimal.Round(cost * pods / asked.Pods, 2) : null,
            Fitting = fitting,
            Pending = pending,
            Room = asked.Room == RoomVerdict.Short && !stillShort ? RoomVerdict.Fits : asked.Room,
            NodesNeeded = stillShort ? asked.NodesNeeded : null,
        };
    }

    /// <summary>The hourly cost of <paramref name="pods"/> pods' requests; null without prices.</summary>
    public static decimal? Cost(int pods, PodResources perPod, CostPrices prices) =>
        !prices.IsSet
            ? null
            : decimal.Round(pods * (((prices.CpuHour ?? 0) * perPod.MilliCpu / 1000m) + ((prices.MemoryGiBHour ?? 0) * perPod.MemoryBytes / BytesPerGiB)), 2);

    /// <summary>The most frequent node size (the one a cluster autoscaler would add); the larger one on a tie.</summary>
    private static NodeRoom CommonShape(IReadOnlyList<NodeRoom> nodes) => nodes
        .GroupBy(n => (n.AllocatableMilliCpu, n.AllocatableMemoryBytes, n.AllocatablePods))
        .OrderByDescending(g => g.Count())
        .ThenByDescending(g => g.Key.AllocatableMilliCpu)
        .ThenByDescending(g => g.Key.AllocatableMemoryBytes)
        .First()
        .First();
}
