namespace ScaleControl.Core.Capacity;

/// <summary>Whether the cluster has room for the pods a change adds.</summary>
public enum RoomVerdict
{
    /// <summary>Every added pod fits on the nodes' free requests.</summary>
    Fits,

    /// <summary>Some would stay Pending (FailedScheduling) until nodes are added.</summary>
    Short,

    /// <summary>The change removes pods: it frees room.</summary>
    Frees,

    /// <summary>The pod template requests neither CPU nor memory: the scheduler places such pods without counting.</summary>
    NoRequests,

    /// <summary>Nodes could not be read (no permission, API error) or there are none.</summary>
    Unknown,
}

/// <summary>
/// What a change costs and whether it fits, worked out when the proposal is made (or amended) and kept on it, so the
/// card, <c>scalectl describe proposal</c> and the API show the same numbers. Deltas are for the whole change.
/// </summary>
public sealed record CapacityEstimate
{
    public int Pods { get; init; }

    /// <summary>CPU requests added (negative: freed), in millicores; null when the pod template is unknown.</summary>
    public long? MilliCpu { get; init; }

    public long? MemoryBytes { get; init; }

    /// <summary>Cost of the change per hour at the configured prices; null without prices.</summary>
    public decimal? CostPerHour { get; init; }

    public string? Currency { get; init; }

    public RoomVerdict Room { get; init; } = RoomVerdict.Unknown;

    /// <summary>Of the added pods, how many fit now; the rest would stay Pending.</summary>
    public int? Fitting { get; init; }

    public int? Pending { get; init; }

    /// <summary>Pods already waiting for a node when this was assessed (asked by an earlier step); the free room is counted after them.</summary>
    public int? AlreadyPending { get; init; }

    /// <summary>Free (allocatable minus requested) CPU on the schedulable nodes, in millicores.</summary>
    public long? FreeMilliCpu { get; init; }

    public long? FreeMemoryBytes { get; init; }

    public int? Nodes { get; init; }

    /// <summary>About how many more nodes of the cluster's common shape the Pending pods need; null when they fit or a pod fits on no such node.</summary>
    public int? NodesNeeded { get; init; }

    /// <summary>Why <see cref="Room"/> is Unknown, or a caveat ("a pod is larger than any node").</summary>
    public string? Note { get; init; }

    public DateTimeOffset? AssessedAt { get; init; }

    /// <summary>"+8 pods · +4 CPU, +8 GiB · ≈ ¥12.80/h": written out so every channel (the API, scalectl) shows the same line.</summary>
    public string ChangeText => CapacityText.Change(this);

    /// <summary>"room: 6 of 8 fit — 2 would stay Pending (needs ~1 more node)".</summary>
    public string RoomText => CapacityText.Room(this);
}
