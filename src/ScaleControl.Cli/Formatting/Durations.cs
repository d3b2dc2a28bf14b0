using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleControl.Cli.Formatting;

/// <summary>Durations as people type them (<c>30m</c>, <c>2h</c>, <c>1h30m</c>, <c>-1h</c>) and ages as kubectl prints them.</summary>
internal static partial class Durations
{
    // [0-9], not \d: \d also matches other scripts' digits (a full-width １ typed in Chinese input mode, ٣), which long.Parse
    // then threw on, and scalectl died with a stack trace instead of "not a duration".
    [GeneratedRegex(@"^(?:(?<d>[0-9]+)d)?(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    /// <summary>Parses <c>1d2h30m15s</c> (any part optional, at least one present) or a bare number of seconds.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim().ToLowerInvariant();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return Within(seconds, out duration);
        }

        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return false;
        }

        // A part too long to be meant (99999999999999d) is "not a duration", never an overflow.
        return Part(match, "d") is { } d && Part(match, "h") is { } h && Part(match, "m") is { } m && Part(match, "s") is { } s
            && Within((d * 86400) + (h * 3600) + (m * 60) + s, out duration);
    }

    /// <summary>68 years: more than any command accepts (the server says each limit), and it fits the API's integer seconds.</summary>
    private const long MaxSeconds = int.MaxValue;

    private static bool Within(long seconds, out TimeSpan duration)
    {
        duration = seconds <= MaxSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        return seconds <= MaxSeconds;
    }

    /// <summary>Parses a look-back such as <c>-1h</c> or <c>1h</c>: both mean "from one hour ago".</summary>
    public static bool TryParseLookBack(string? text, out TimeSpan lookBack) =>
        TryParse(text?.Trim().TrimStart('-'), out lookBack);

    /// <summary>kubectl's human duration: 45s, 4m10s, 25m, 5h3m, 36h, 3d4h, 12d.</summary>
    public static string Human(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = -span;
        }

        var seconds = (long)span.TotalSeconds;
        var minutes = seconds / 60;
        var hours = minutes / 60;
        var days = hours / 24;
        return seconds switch
        {
            < 120 => $"{seconds}s",
            _ when minutes < 10 => seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s",
            _ when minutes < 180 => $"{minutes}m",
            _ when hours < 8 => minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m",
            _ when hours < 48 => $"{hours}h",
            _ when days < 8 => hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h",
            _ => $"{days}d",
        };
    }

    private static long? Part(Match match, string name) =>
        match.Groups[name] is not { Success: true } group ? 0
        : group.Length <= 12 ? long.Parse(group.ValueSpan, CultureInfo.InvariantCulture)
        : null;
}
