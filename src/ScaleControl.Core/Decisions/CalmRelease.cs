namespace ScaleControl.Core.Decisions;

/// <summary>
/// On a calm series (observed long enough for a trend, none significant, no shift, the last 10 minutes within
/// <see cref="MaxSwing"/>) whose count was not last set by a scale-up, capacity is released past the down tolerance,
/// as the HPA does, not past the narrower up tolerance: on a slow daily decline that is one step per 10 % instead of
/// a 1-pod staircase. After a scale-up (a prediction's overshoot, say) or without a trend to judge by, the up
/// tolerance stays, so capacity no measurement asked for is still released at once.
/// </summary>
internal static class CalmRelease
{
    /// <summary>The widest 10-minute range, in log units, that still counts as calm: ln 1.2.</summary>
    public static readonly double MaxSwing = Math.Log(1.2);

    /// <summary>The band above the highest measured need that keeps the current count.</summary>
    public static double Band(in Trend trend, PolicyHistory history, double up, double down) =>
        trend.Samples >= TrendPredictor.MinWindow && trend.Predicted is null && !trend.Rising && trend.Swing <= MaxSwing
        && !(history.Changes is [.., var last] && last.To > last.From)
            ? Math.Max(up, down)
            : up;
}
