using System.Globalization;

namespace ScaleControl.Core.Text;

/// <summary>Durations as people read them in one line of a note, a chat answer or a status: "20m", "1h30m", "2d".</summary>
public static class DurationText
{
    public static string Short(TimeSpan span) =>
        span.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0}m")
        : span.TotalHours < 48 ? (span.Minutes == 0 ? $"{(int)span.TotalHours}h" : $"{(int)span.TotalHours}h{span.Minutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalDays:0.#}d");
}
