using System.Globalization;
using System.Text.RegularExpressions;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Cards;

/// <summary>
/// Times as the on-call group reads them: in its zone (<c>ScaleControl:DingTalk:TimeZone</c>), the offset always written
/// out (<c>20:00 UTC+08:00</c>), with the date when it is not today there. The rules, the services and the API write
/// the times inside their messages in UTC (<c>2026-12-06 12:18:54Z</c>, or a clock time <c>12:18 UTC</c> for a time
/// within hours of now), which the API, Events and logs keep; <see cref="Localize"/> shows each of them in the zone in
/// whatever reaches DingTalk (notices, chat answers, a card's texts, a tap's private answer).
/// </summary>
public sealed partial class GroupTimes(TimeZoneInfo zone, TimeProvider time)
{
    public TimeZoneInfo Zone => zone;

    /// <summary>The configured zone; UTC where it is unknown (the options validator refuses that at start when DingTalk is on).</summary>
    public static GroupTimes From(DingTalkOptions options, TimeProvider time) =>
        new(TimeZoneInfo.TryFindSystemTimeZoneById(options.TimeZone, out var found) ? found : TimeZoneInfo.Utc, time);

    /// <summary>"20:00 UTC+08:00", or "2026-12-07 08:00 UTC+08:00" on another day than today there; "?" for none.</summary>
    public string Format(DateTimeOffset? at) => at is { } t ? Write(t, "HH:mm") : "?";

    /// <summary>"20:02:05–20:03:10 UTC+08:00": two moments of one burst, the zone named once.</summary>
    public string Span(DateTimeOffset from, DateTimeOffset to) =>
        TimeZoneInfo.ConvertTime(from, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture) + "–" + Write(to, "HH:mm:ss");

    /// <summary>How the help text names the zone: <c>UTC</c>, or <c>Asia/Shanghai (UTC+08:00 now)</c>.</summary>
    public string Name() => zone == TimeZoneInfo.Utc ? "UTC" : $"{zone.Id} ({UtcOffsetText.Of(zone.GetUtcOffset(time.GetUtcNow()))} now)";

    /// <summary>
    /// <paramref name="text"/> with every UTC time written by the rules shown in the zone, to the precision it was
    /// written with. A clock time without a date is the one nearest to now (the rules write those for an evaluation, a
    /// hold or an undo window: within hours of now). Times already in the zone (<c>UTC+08:00</c>) are left alone, and so is
    /// everything in a zone that is UTC all year.
    /// </summary>
    public string Localize(string text)
    {
        if (IsUtc || (!text.Contains('Z', StringComparison.Ordinal) && !text.Contains("UTC", StringComparison.Ordinal)))
        {
            return text;
        }

        return UtcTime().Replace(text, match =>
        {
            var clock = match.Groups["clock"].Value;
            var format = clock.Length > 5 ? "HH:mm:ss" : "HH:mm";
            var utc = match.Groups["date"].Success
                ? DateTime.ParseExact(match.Groups["date"].Value + " " + clock, "yyyy-MM-dd " + format, CultureInfo.InvariantCulture)
                : Nearest(TimeOnly.ParseExact(clock, format, CultureInfo.InvariantCulture));
            return Write(new DateTimeOffset(utc, TimeSpan.Zero), format);
        });
    }

    /// <summary>A zone that is UTC all year: the rules' UTC times are already in it.</summary>
    private bool IsUtc => zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;

    private DateTime Nearest(TimeOnly clock)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var today = now.Date + clock.ToTimeSpan();
        return new[] { today.AddDays(-1), today, today.AddDays(1) }.MinBy(t => Math.Abs((t - now).Ticks));
    }

    private string Write(DateTimeOffset at, string clockFormat)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).Date;
        var format = local.Date == today ? clockFormat : "yyyy-MM-dd " + clockFormat;
        return local.ToString(format, CultureInfo.InvariantCulture) + " " + UtcOffsetText.Of(local.Offset);
    }

    /// <summary>"2026-12-06 12:18:54Z" (the "u" format), "2026-12-06 12:18:54 UTC", "12:18:54 UTC", "12:18 UTC", "12:18Z"; not "UTC+08:00".</summary>
    [GeneratedRegex(@"(?<![\d:\-])(?:(?<date>\d{4}-\d{2}-\d{2})[ T])?(?<clock>\d{2}:\d{2}(?::\d{2})?)(?:Z| UTC(?![+\-]\d))(?![\w+\-])", RegexOptions.CultureInvariant)]
    private static partial Regex UtcTime();
}
