using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Adds one evaluation of an Observe policy to its <see cref="ObservationStatus"/>: the time since the last one counts
/// with the last one's counts (what ran and what it would have run held until now), and the changes are counted.
/// </summary>
public static class ObservationTally
{
    /// <summary>A gap of more than this many evaluation intervals was not watched: it is left out of the sums.</summary>
    public const int MaxGapIntervals = 3;

    /// <returns>The record after this evaluation; a new one (since now) when there was none.</returns>
    public static ObservationStatus Next(ObservationStatus? previous, DateTimeOffset now, int running, int would, int intervalSeconds)
    {
        if (previous is null)
        {
            return new ObservationStatus { Since = now, LastObserved = now, WouldReplicas = would, RunningReplicas = running, WouldChanges = WouldWrite(null, running, would) ? 1 : 0 };
        }

        var seconds = (now - previous.LastObserved).TotalSeconds;
        var counted = seconds > 0 && seconds <= MaxGapIntervals * (double)Math.Max(1, intervalSeconds) ? seconds : 0;
        var gap = previous.WouldReplicas - previous.RunningReplicas;
        return previous with
        {
            LastObserved = now > previous.LastObserved ? now : previous.LastObserved,
            WouldReplicas = would,
            RunningReplicas = running,
            ObservedSeconds = previous.ObservedSeconds + counted,
            DifferentSeconds = previous.DifferentSeconds + (gap != 0 ? counted : 0),
            PodSecondsMore = previous.PodSecondsMore + (Math.Max(0, gap) * counted),
            PodSecondsLess = previous.PodSecondsLess + (Math.Max(0, -gap) * counted),
            WouldChanges = previous.WouldChanges + (WouldWrite(previous, running, would) ? 1 : 0),
            WorkloadChanges = previous.WorkloadChanges + (running != previous.RunningReplicas ? 1 : 0),
        };
    }

    /// <summary>
    /// Whether this evaluation is one where the policy would have written a new count: it would run another count than
    /// last time, and one the workload does not run (following the workload while held, or agreeing with it, is no write).
    /// The loop records the <c>ScaleObserved</c> Event on the same condition.
    /// </summary>
    public static bool WouldWrite(ObservationStatus? previous, int running, int would) =>
        would != running && (previous is null || would != previous.WouldReplicas);
}
