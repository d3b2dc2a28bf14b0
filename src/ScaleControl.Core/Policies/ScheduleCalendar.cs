using System.Collections.Concurrent;
using System.Globalization;
using Cronos;

namespace ScaleControl.Core.Policies;

/// <summary>
/// Answers "is this schedule's window open now?" for recurring (cron + time zone + duration) and one-shot
/// (start..end) schedules. Parsed cron expressions are cached: the engine asks on every evaluation.
/// </summary>
public static class ScheduleCalendar
{
    private static readonly ConcurrentDictionary<string, CronExpression?> s_crons = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, TimeZoneInfo?> s_zones = new(StringComparer.Ordinal);

    /// <summary>Parses 5-field (minute precision) or 6-field (with seconds) cron, and macros such as <c>@daily</c>.</summary>
    public static bool TryParseCron(string? expression, out CronExpression? cron)
    {
        cron = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            return false;
        }

        cron = s_crons.GetOrAdd(expression, static e =>
        {
            var fields = e.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
            return CronExpression.TryParse(e, format, out var parsed) ? parsed : null;
        });
        return cron is not null;
    }

    /// <summary>IANA (or Windows) time-zone id; null or empty means UTC.</summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo? zone)
    {
        if (string.IsNullOrEmpty(id))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        zone = s_zones.GetOrAdd(id, static i => TimeZoneInfo.TryFindSystemTimeZoneById(i, out var z) ? z : null);
        return zone is not null;
    }

    /// <summary>
    /// The latest occurrence in (now − within, now], searched back from now in doubling steps: a per-second cron with a
    /// long duration (a week; 68 years written with kubectl) costs a few occurrences, not one per second of the window —
    /// enumerating them all held the leader's loop, and so every policy, for minutes per evaluation.
    /// </summary>
    private static DateTimeOffset? LatestOccurrence(CronExpression cron, TimeZoneInfo zone, DateTimeOffset now, TimeSpan within, IReadOnlyList<string> excludeDates)
    {
        for (var back = TimeSpan.FromMinutes(1); ; back += back)
        {
            DateTimeOffset? latest = null;
            foreach (var occurrence in cron.GetOccurrences(now - (back < within ? back : within), now, zone, fromInclusive: false, toInclusive: true))
            {
                if (excludeDates.Count == 0 || !excludeDates.Contains(DayOf(occurrence, zone), StringComparer.Ordinal))
                {
                    latest = occurrence;
                }
            }

            if (latest is not null || back >= within)
            {
                return latest;
            }
        }
    }

    /// <summary>The occurrence's day in the schedule's zone, as <see cref="ScheduleSpec.ExcludeDates"/> writes it.</summary>
    private static string DayOf(DateTimeOffset occurrence, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(occurrence, zone).ToString(ScheduleSpec.DateFormat, CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="text"/> is a real day written as <see cref="ScheduleSpec.DateFormat"/>.</summary>
    public static bool IsDate(string? text) =>
        DateOnly.TryParseExact(text, ScheduleSpec.DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>Whether the window is open at <paramref name="now"/>, and when it closes.</summary>
    public static bool IsActive(ScheduleSpec schedule, DateTimeOffset now, out DateTimeOffset closesAt)
    {
        closesAt = default;
        if (schedule.Cron is not null)
        {
            if (schedule.DurationSeconds is not > 0 || !TryParseCron(schedule.Cron, out var cron) || !TryFindTimeZone(schedule.TimeZone, out var zone))
            {
                return false;
            }

            // The window opened at the latest occurrence within the last duration (inclusive of now), not on an excluded day.
            var duration = TimeSpan.FromSeconds(schedule.DurationSeconds.Value);
            var opened = LatestOccurrence(cron!, zone!, now, duration, schedule.ExcludeDates ?? []); // null: written past the API (the policy is invalid, but may still be shown)
            if (opened is null)
            {
                return false;
            }

            closesAt = opened.Value + duration;
            return true;
        }

        if (schedule.Start is { } start && schedule.End is { } end && start <= now && now < end)
        {
            closesAt = end;
            return true;
        }

        return false;
    }
}
