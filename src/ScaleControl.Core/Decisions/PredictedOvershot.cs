namespace ScaleControl.Core.Decisions;

/// <summary>
/// Capacity only a prediction asked for, after an event: no measured recommendation of the last 10 minutes asked
/// for the current count, and the metric spanned at least <see cref="EventSwing"/> (a doubling) in that time. A
/// predicted step at the end of a steep rise lands past the new level (90 pods for 81 on double-spike, 98 for 80 on
/// the push trace); its scale-up was exempt from the change budget, so its release is too, instead of waiting up to
/// 10 minutes for the budget. A swinging quiet day (25–40 pods) spans less than a doubling and keeps paying.
/// </summary>
internal static class PredictedOvershot
{
    /// <summary>The metric's range over the last 10 minutes, in log units, that marks an event: ln 2, a doubling.</summary>
    public static readonly double EventSwing = Math.Log(2);

    public static bool Release(PolicyHistory history, int current, int desired, double swing)
    {
        if (desired >= current || swing < EventSwing)
        {
            return false;
        }

        var recorded = history.Recommendations;
        for (var i = 0; i < recorded.Count; i++)
        {
            if (recorded[i].Replicas >= current)
            {
                return false;
            }
        }

        return recorded.Count > 0;
    }
}
