using System.Globalization;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Expected events (<c>scalectl prepare</c>) as floors: each holds its replicas from its lead before <c>at</c> until
/// it ends; the highest active one counts, capped by maxReplicas.
/// </summary>
public static class ExpectedEventFloor
{
    /// <summary>What a decision the event's floor set is bound by, before the event's name: "event:gala".</summary>
    public const string BoundByPrefix = "event:";

    /// <summary>The event whose floor bound a decision (its <see cref="Floor.BoundBy"/>); null when no event's did.</summary>
    public static string? EventOf(string? boundBy) => Floor.NameAfter(BoundByPrefix, boundBy);

    public static Floor? Active(ScalePolicySpec spec, DateTimeOffset now)
    {
        ExpectedEventSpec? best = null;
        for (var i = 0; i < spec.ExpectedEvents.Count; i++) // no enumerator: runs for every policy every tick
        {
            var e = spec.ExpectedEvents[i];
            if (e.FloorStart() <= now && now < e.FloorEnd() && (best is null || e.Replicas > best.Replicas))
            {
                best = e;
            }
        }

        if (best is null)
        {
            return null;
        }

        var replicas = Math.Min(best.Replicas, spec.MaxReplicas);
        var by = best.By is { Length: > 0 } ? $" by {best.By}" : "";
        var at = best.At.UtcDateTime.ToString("HH:mm'Z'", CultureInfo.InvariantCulture); // stored in the caller's zone
        return new Floor(replicas, BoundByPrefix + best.Name, $"expected event {best.Name} at {at}{by} ({best.Reason}) floor -> {replicas}");
    }
}
