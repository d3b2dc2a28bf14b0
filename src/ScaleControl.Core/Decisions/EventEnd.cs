namespace ScaleControl.Core.Decisions;

/// <summary>
/// The end of an event is released over <see cref="WindowSeconds"/> instead of the decline window. The down window
/// guards against a dip inside sustained load; after an event that multiplied the level (the metric spanned at least
/// a doubling in 10 minutes), a significant decline to at most 1/<see cref="HeldFactor"/> of every count held in the
/// last <see cref="HeldLookBack"/> is the event ending, not a dip (twitter-burst-day13: 109 pods held for a need of
/// 45). Not for an event within 25 units of the series' own scatter, nor for a series whose scale-downs the engine
/// has had to undo back to the level they left within 20 minutes (NASA's minute-long bursts, a swinging day), nor
/// before the engine has watched the held counts for 5 minutes (just started), nor for a collapse below
/// <see cref="CollapseShare"/> of every count held in the last 20 minutes (an outage or a gap, which tends to end as
/// suddenly as it began: NASA's log falls from 14 to 2 pods and is back within 3 minutes); and only for a release of
/// at least <see cref="DecisionEngine.LargeChange"/> of the count (smaller steps are no event ending).
/// </summary>
internal static class EventEnd
{
    /// <summary>The scale-down stabilization window once an event has ended.</summary>
    public const int WindowSeconds = 60;

    /// <summary>Every count held in <see cref="HeldLookBack"/> is at least this multiple of the need.</summary>
    public const double HeldFactor = 1.5;

    public static readonly TimeSpan HeldLookBack = TimeSpan.FromMinutes(5);

    /// <summary>The event's range spans at least this many noise units (NASA's bursts stay within ~16 of their own scatter).</summary>
    public const double MinSwingInNoise = 25;

    /// <summary>
    /// A need below this share of every count held in the last 20 minutes is a collapse, not an event's end: traffic
    /// that vanished at once (an upstream outage, a gap in the log) tends to come back at once, to the pods it finds.
    /// </summary>
    public const double CollapseShare = 0.5;

    /// <summary>
    /// Whether a significant decline to <paramref name="wanted"/> from <paramref name="current"/> ends an event:
    /// <paramref name="swing"/> (the metric's 10-minute range in log units) is at least a doubling and
    /// <see cref="MinSwingInNoise"/> times <paramref name="noise"/>, the engine has watched the counts held over
    /// <see cref="HeldLookBack"/> (not just started), each at least <see cref="HeldFactor"/> × the need, the need is at
    /// least <see cref="CollapseShare"/> of every count held over <see cref="SwingHold.RegretWindow"/>, and it has not
    /// had to undo a scale-down back to its level.
    /// </summary>
    public static bool Ended(PolicyHistory history, DateTimeOffset now, double swing, double noise, int current, int wanted) =>
        swing >= PredictedOvershot.EventSwing
        && swing >= MinSwingInNoise * noise
        && history.Recommendations.Count > 0 && history.Recommendations[0].Time <= now - HeldLookBack
        && LowestHeld(history, now - HeldLookBack, current) >= HeldFactor * wanted
        && wanted >= CollapseShare * LowestHeld(history, now - SwingHold.RegretWindow, current)
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
