using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Schedules as floors: each holds its minReplicas while its window is open; the highest open one counts, capped by
/// maxReplicas. The engine sets the floor from it, and the tap and the applier re-check a waiting proposal against it.
/// </summary>
public static class ScheduleFloor
{
    /// <summary>What a decision the schedule's floor set is bound by, before the schedule's name: "schedule:evening-peak".</summary>
    public const string BoundByPrefix = "schedule:";

    /// <summary>The schedule whose floor bound a decision (its <see cref="Floor.BoundBy"/>); null when no schedule's did.</summary>
    public static string? ScheduleOf(string? boundBy) => Floor.NameAfter(BoundByPrefix, boundBy);

    /// <summary>The replicas <paramref name="schedule"/> holds under <paramref name="spec"/>'s maxReplicas.</summary>
    public static int ReplicasOf(ScheduleSpec schedule, ScalePolicySpec spec) => Math.Min(schedule.MinReplicas, spec.MaxReplicas);

    /// <summary>The highest floor of the schedules open at <paramref name="now"/>; null when none is.</summary>
    public static Floor? Active(ScalePolicySpec spec, DateTimeOffset now)
    {
        ScheduleSpec? best = null;
        for (var i = 0; i < spec.Schedules.Count; i++) // no enumerator: runs for every policy every tick
        {
            var schedule = spec.Schedules[i];
            if (ScheduleCalendar.IsActive(schedule, now, out _) && (best is null || schedule.MinReplicas > best.MinReplicas))
            {
                best = schedule;
            }
        }

        if (best is null)
        {
            return null;
        }

        var replicas = ReplicasOf(best, spec);
        return new Floor(replicas, BoundByPrefix + best.Name, $"schedule {best.Name} floor -> {replicas}");
    }
}
