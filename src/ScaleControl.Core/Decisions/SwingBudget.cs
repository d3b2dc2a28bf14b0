namespace ScaleControl.Core.Decisions;

/// <summary>
/// While a series swings (the engine had to undo one of its own scale-downs, <see cref="SwingHold.Regretted"/>), the
/// change budget binds. Past it only a measured shortage scales up (the need beyond the count and its tolerance:
/// never blocked); a prediction, a large move and a scale-down wait. A scale-down also leaves one change of the
/// budget for the rise that follows it. A scale-up under budget pressure (at most one change left) lands at the
/// highest need measured over the budget window, so one step covers the swing instead of several. Still released
/// at once: an event ending (<see cref="EventEnd"/>, or a fall of at least <see cref="DecisionEngine.LargeChange"/>
/// below everything measured in the window) and a prediction's overshoot (<see cref="PredictedOvershot"/>).
/// </summary>
internal static class SwingBudget
{
    /// <summary>The count after the budget: <paramref name="desired"/> (raised to cover the swing under pressure), or <paramref name="current"/> when it must wait.</summary>
    public static int Apply(PolicyHistory history, DateTimeOffset now, int current, int desired, int? raw, double swing, int budget, bool eventEnded, out int spent)
    {
        spent = ReplicaLimits.ChangesSince(history, now - ReplicaLimits.BudgetWindow);
        var (lowest, highest) = MeasuredRange(history, now);
        if (desired > current)
        {
            if (spent >= budget - 1)
            {
                desired = Math.Max(desired, highest);
            }

            // raw is sized with the tolerance band: above the count only for a measured shortage.
            return raw > current || spent < budget ? desired : current;
        }

        var eventEnds = eventEnded || (current - desired >= current * DecisionEngine.LargeChange && raw < lowest);
        return eventEnds || spent < budget - 1 || PredictedOvershot.Release(history, current, desired, swing) ? desired : current;
    }

    /// <summary>The lowest and highest measured recommendation over the budget window (int.MaxValue and 0 when none).</summary>
    private static (int Lowest, int Highest) MeasuredRange(PolicyHistory history, DateTimeOffset now)
    {
        var from = now - ReplicaLimits.BudgetWindow;
        var highest = 0;
        var lowest = int.MaxValue;
        var recorded = history.RecommendationSpan;
        for (var i = recorded.Length - 1; i >= 0 && recorded[i].Time > from; i--)
        {
            highest = Math.Max(highest, recorded[i].Replicas);
            lowest = Math.Min(lowest, recorded[i].Replicas);
        }

        return (lowest, highest);
    }
}
