using System.Globalization;
using System.Text.RegularExpressions;
using ScaleControl.Times;

namespace ScaleControl.Cli.Formatting;

/// <summary>
/// When an announced event starts, as people type it: <c>20:00</c> (local time, the next such time unless an event
/// of that length starting then is still going on), <c>+30m</c> (from now), or a full time
/// (<c>2026-12-04T20:00+08:00</c>, <c>2026-12-04 20:00</c> in local time). Local times follow <see cref="WallClock"/>
/// (shared with chat): the first of a time passed twice, none for a time the clocks skip.
/// </summary>
internal static partial class EventTimes
{
    // ASCII digits only, as in Durations: int.Parse throws on the other digits \d matches.
    [GeneratedRegex(@"^(?<h>[01]?[0-9]|2[0-3]):(?<m>[0-5][0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex ClockTime();

    private static readonly string[] s_localFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss"];

    /// <summary>
    /// The years a local time may name, as chat's <c>prepare … at</c> takes them: year 1 at 00:00 in Beijing is no
    /// instant .NET can hold (resolving it threw), and the server refuses an event more than 30 days away anyway.
    /// </summary>
    public const int MinYear = 2000, MaxYear = 9998;

    /// <summary>Whether <paramref name="text"/> is one of the accepted shapes (checked when parsing the command line).</summary>
    public static bool IsValid(string? text) => TryResolve(text, DateTimeOffset.UnixEpoch, TimeSpan.Zero, TimeZoneInfo.Utc, out _);

    public static bool TryResolve(string? text, DateTimeOffset now, TimeSpan duration, TimeZoneInfo zone, out DateTimeOffset at) =>
        TryResolve(text, now, duration, zone, out at, out _);

    /// <param name="skipped">When refused for a local time the clocks skip: that local time, on the day it was meant.</param>
    public static bool TryResolve(string? text, DateTimeOffset now, TimeSpan duration, TimeZoneInfo zone, out DateTimeOffset at, out DateTime? skipped)
    {
        at = default;
        skipped = null;
        text = text?.Trim() ?? "";
        if (text.StartsWith('+') && Durations.TryParse(text[1..], out var after))
        {
            at = now + after;
            return true;
        }

        if (ClockTime().Match(text) is { Success: true } clock)
        {
            var time = new TimeOnly(int.Parse(clock.Groups["h"].Value, CultureInfo.InvariantCulture), int.Parse(clock.Groups["m"].Value, CultureInfo.InvariantCulture));
            if (WallClock.TryNext(time, now, duration, zone, out at, out var next))
            {
                return true;
            }

            skipped = next;
            return false;
        }

        if (text.Length > 0 && char.IsDigit(text[0]) && text.Contains('-', StringComparison.Ordinal))
        {
            if (DateTime.TryParseExact(text, s_localFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var localTime))
            {
                if (localTime.Year is < MinYear or > MaxYear)
                {
                    return false;
                }

                skipped = WallClock.TryInstant(localTime, zone, out at) ? null : localTime;
                return skipped is null;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var absolute) && HasOffset(text))
            {
                at = absolute;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The refusal of a local time the clocks skip (daylight saving), naming the day the user meant, with the same time
    /// on that day at the offset in force before the change as an example that exists.
    /// </summary>
    public static string SkippedMessage(string text, DateTime skipped, TimeZoneInfo zone)
    {
        var example = new DateTimeOffset(DateTime.SpecifyKind(skipped, DateTimeKind.Unspecified), zone.GetUtcOffset(skipped.AddDays(-1)));
        return string.Create(CultureInfo.InvariantCulture,
            $"--at '{text}' does not exist in {zone.Id} on {skipped:yyyy-MM-dd}: the clocks skip {skipped:HH:mm} that day; give another time or an offset ({example:yyyy-MM-dd'T'HH:mmzzz})");
    }

    /// <summary>Whether <paramref name="text"/> is a local time in a year outside <see cref="MinYear"/>..<see cref="MaxYear"/>.</summary>
    public static bool YearOutOfRange(string text) =>
        DateTime.TryParseExact(text.Trim(), s_localFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
        && local.Year is < MinYear or > MaxYear;

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.OrdinalIgnoreCase) && text.Contains('T', StringComparison.OrdinalIgnoreCase);
}
