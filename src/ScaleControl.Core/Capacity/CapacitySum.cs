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
}
