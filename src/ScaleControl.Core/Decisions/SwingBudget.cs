namespace ScaleControl.Core.Decisions;

/// <summary>
/// While a series swings (the engine had to undo one of its own scale-downs, <see cref="SwingHold.Regretted"/>), the
/// change budget binds. Past it only a measured shortage scales up (the need beyond the count and its tolerance:
/// never blocked); a prediction, a large move and a scale-down wait. A scale-down also leaves one change of the
/// budget for the rise that follows it, unless an event arrived in the window (<see cref="EventArrived"/>: the
/// series has left the swing, the next rise is no swing's). A scale-up under budget pressure (at most one change
/// left) lands at the highest need measured over the budget window, so one step covers the swing instead of
/// several. Still released at once: an event ending (<see cref="EventEnd"/>, or a fall of at least <see cref="DecisionEngine.LargeChange"/>
/// below everything measured in the window) and a prediction's overshoot (<see cref="PredictedOvershot"/>).
/// </summary>
internal static class SwingBudget
{
    /// <summary>The count after the budget: <paramref name="desired"/> (raised to cover the swing under pressure), or <paramref name="current"/> when it must wait.</summary>
    public static int Apply(PolicyHistory history, DateTimeOffset now, int current, int desired, int? raw, double swing, int budget, bool eventEnded, out int spent)
    {
        spent = ReplicaLimits.ChangesSince(history, now - ReplicaLimits.BudgetWindow);
        var (lowest, highest) = history.MeasuredRangeSince(now - ReplicaLimits.BudgetWindow);
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
        var keptForRise = EventArrived(history, now) ? 0 : 1;
        return eventEnds || spent < budget - keptForRise || PredictedOvershot.Release(history, current, desired, swing) ? desired : current;
    }

    /// <summary>
    /// The engine's scale-ups within the budget window at least doubled the count (<see cref="SwingHold.MaxBand"/>,
    /// the widest swing): an event's rise (twitter-burst-day13: 25 → 94 → 121), not a swing's.
    /// </summary>
    private static bool EventArrived(PolicyHistory history, DateTimeOffset now)
    {
        var from = now - ReplicaLimits.BudgetWindow;
        var changes = history.Changes;
        var top = 0;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            if (changes[i].To > changes[i].From)
            {
                top = Math.Max(top, changes[i].To);
                if (top >= changes[i].From * SwingHold.MaxBand)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
