namespace ScaleControl.Times;

/// <summary>
/// A duration as people type it (<c>1h30m</c>, <c>2h</c>, <c>45s</c>): what scalectl echoes back, and the duration in a
/// chat command the robot suggests sending (compiled into scalectl and the server).
/// </summary>
internal static class CompactDuration
{
    public static string Of(TimeSpan span)
    {
        var parts = new List<string>(4);
        if (span.Days > 0) { parts.Add($"{span.Days}d"); }
        if (span.Hours > 0) { parts.Add($"{span.Hours}h"); }
        if (span.Minutes > 0) { parts.Add($"{span.Minutes}m"); }
        if (span.Seconds > 0 || parts.Count == 0) { parts.Add($"{span.Seconds}s"); }
        return string.Concat(parts);
    }
}
