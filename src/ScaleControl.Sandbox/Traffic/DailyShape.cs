namespace ScaleControl.Sandbox.Traffic;

/// <summary>Share of the daily peak by local hour: a night valley around 04:00 and an evening peak at 19–20:00.</summary>
internal static class DailyShape
{
    private static readonly double[] s_hourly =
    [
        0.55, 0.42, 0.33, 0.28, 0.25, 0.27, 0.35, 0.50, 0.65, 0.75, 0.80, 0.85,
        0.90, 0.85, 0.80, 0.80, 0.82, 0.88, 0.95, 1.00, 1.00, 0.95, 0.85, 0.70,
    ];

    /// <summary>Linear between the hourly points, so the curve has no steps.</summary>
    public static double At(DateTimeOffset localTime)
    {
        var hours = localTime.TimeOfDay.TotalHours;
        var index = (int)hours;
        var fraction = hours - index;
        return s_hourly[index] + (s_hourly[(index + 1) % 24] - s_hourly[index]) * fraction;
    }
}
