namespace ScaleControl.Core.Decisions;

/// <summary>
/// The end of an event is released over <see cref="WindowSeconds"/> instead of the decline window. The down window
/// guards against a dip inside sustained load; after an event that multiplied the level (the metric spanned at least
/// a doubling in 10 minutes), a significant decline to at most 1/<see cref="HeldFactor"/> of every count held in the
/// last <see cref="HeldLookBack"/> is the event ending, not a dip (twitter-burst-day13: 109 pods held for a need of
/// 45). Not for a series whose scale-downs the engine has had to undo back to the level it left within 20 minutes
/// (NASA's minute-long bursts, a swinging day), and only for a release of at least
/// <see cref="DecisionEngine.LargeChange"/> of the count (smaller steps are no event ending).
/// </summary>
internal static class EventEnd
{
    /// <summary>The scale-down stabilization window once an event has ended.</summary>
    public const int WindowSeconds = 60;

    /// <summary>Every count held in <see cref="HeldLookBack"/> is at least this multiple of the need.</summary>
    public const double HeldFactor = 1.5;

    public static readonly TimeSpan HeldLookBack = TimeSpan.FromMinutes(5);

    /// <summary>Whether a significant decline to <paramref name="wanted"/> from <paramref name="current"/> ends an event.</summary>
    public static bool Ended(PolicyHistory history, DateTimeOffset now, double swing, int current, int wanted) =>
        swing >= PredictedOvershot.EventSwing
        && LowestHeld(history, now - HeldLookBack, current) >= HeldFactor * wanted
        && !Undone(history, now);

    /// <summary>The lowest count held after <paramref name="from"/>: the current one and each changed from since.</summary>
    private static int LowestHeld(PolicyHistory history, DateTimeOffset from, int current)
    {
        var lowest = current;
        var changes = history.Changes;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            lowest = Math.Min(lowest, changes[i].From);
        }

        return lowest;
    }

    /// <summary>A scale-down within <see cref="SwingHold.RegretWindow"/> was followed by scale-ups back to at least the count it left.</summary>
    private static bool Undone(PolicyHistory history, DateTimeOffset now)
    {
        var from = now - SwingHold.RegretWindow;
        var changes = history.Changes;
        var highestAfter = 0;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            var change = changes[i];
            if (change.To > change.From)
            {
                highestAfter = Math.Max(highestAfter, change.To);
            }
            else if (highestAfter >= change.From)
            {
                return true;
            }
        }

        return false;
    }
}
