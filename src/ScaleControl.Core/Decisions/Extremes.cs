namespace ScaleControl.Core.Decisions;

/// <summary>
/// <see cref="Math.Max(double, double)"/> and <see cref="Math.Min(double, double)"/> exactly, for a running extreme over
/// a series on the hot path: their fix-ups for NaN and signed zeros make a long dependency chain from one step to the
/// next, so they run only when the value can change the result (it is not strictly inside it).
/// </summary>
internal static class Extremes
{
    public static double Max(double max, double value) => value >= max || double.IsNaN(value) ? Math.Max(max, value) : max;

    public static double Min(double min, double value) => value <= min || double.IsNaN(value) ? Math.Min(min, value) : min;
}
