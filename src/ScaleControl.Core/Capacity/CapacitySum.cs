namespace ScaleControl.Core.Capacity;

/// <summary>
/// The total of several changes' estimates (the rows of a group card), for <see cref="CapacityText.Change"/>. A part
/// that any row does not know (its CPU or memory, its cost, or a cost in another currency) is left out of the total
/// rather than summed short. Room is not summed: the rows compete for the same free nodes.
/// </summary>
public static class CapacitySum
{
    public static CapacityEstimate Of(IReadOnlyList<CapacityEstimate> estimates)
    {
        var currencies = estimates.Select(e => e.Currency).Distinct(StringComparer.Ordinal).Count();
        var resources = estimates.All(e => e.MilliCpu is not null && e.MemoryBytes is not null); // both or neither, as a single card
        return new CapacityEstimate
        {
            Pods = estimates.Sum(e => e.Pods),
            MilliCpu = resources ? estimates.Sum(e => e.MilliCpu) : null,
            MemoryBytes = resources ? estimates.Sum(e => e.MemoryBytes) : null,
            CostPerHour = currencies == 1 && estimates.All(e => e.CostPerHour is not null) ? estimates.Sum(e => e.CostPerHour) : null,
            Currency = currencies == 1 ? estimates[0].Currency : null,
            Room = RoomVerdict.Unknown,
        };
    }

    /// <summary>
    /// The room for several changes asked together (a group card's waiting rows), which compete for the same free
    /// nodes: each row's pods, in order, take the newest reading's free CPU and memory left by the rows before
    /// (never more than fit for that row alone, node by node). Unknown when any row's room is; a row that frees or
    /// requests nothing takes nothing.
    /// </summary>
    public static CapacityEstimate Room(IReadOnlyList<CapacityEstimate> rows)
    {
        var growing = rows.Where(r => r.Pods > 0 && r.Room is not (RoomVerdict.NoRequests or RoomVerdict.Frees)).ToList();
        if (growing.FirstOrDefault(r => r.Room == RoomVerdict.Unknown) is { } unknown)
        {
            return new CapacityEstimate { Pods = rows.Sum(r => r.Pods), Room = RoomVerdict.Unknown, Note = unknown.Note };
        }

        if (growing.Count == 0)
        {
            return new CapacityEstimate
            {
                Pods = rows.Sum(r => r.Pods),
                MilliCpu = rows.Sum(r => r.MilliCpu ?? 0),
                MemoryBytes = rows.Sum(r => r.MemoryBytes ?? 0),
                Room = rows.Any(r => r.Room == RoomVerdict.Frees) ? RoomVerdict.Frees : RoomVerdict.NoRequests,
            };
        }

        var newest = growing.OrderByDescending(r => r.AssessedAt ?? DateTimeOffset.MinValue).First();
        long cpu = newest.FreeMilliCpu ?? 0, memory = newest.FreeMemoryBytes ?? 0;
        var fitting = 0;
        foreach (var row in growing)
        {
            var podCpu = (row.MilliCpu ?? 0) / row.Pods;
            var podMemory = (row.MemoryBytes ?? 0) / row.Pods;
            long fits = row.Fitting ?? 0;
            fits = Math.Min(fits, podCpu > 0 ? cpu / podCpu : fits);
            fits = Math.Min(fits, podMemory > 0 ? memory / podMemory : fits);
            fitting += (int)fits;
            cpu -= fits * podCpu;
            memory -= fits * podMemory;
        }

        var pods = growing.Sum(r => r.Pods);
        return new CapacityEstimate
        {
            Pods = pods,
            Room = fitting == pods ? RoomVerdict.Fits : RoomVerdict.Short,
            Fitting = fitting,
            Pending = pods - fitting,
            FreeMilliCpu = newest.FreeMilliCpu,
            FreeMemoryBytes = newest.FreeMemoryBytes,
            Nodes = newest.Nodes,
            AlreadyPending = newest.AlreadyPending,
            Note = "the rows counted together",
        };
    }
}
