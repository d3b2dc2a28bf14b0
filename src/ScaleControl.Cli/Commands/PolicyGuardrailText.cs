using ScaleControl.Times;
using System.Globalization;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>One-line texts for <c>describe policy</c>: behaviour per direction, schedules and escalation.</summary>
internal static class PolicyGuardrailText
{
    public static string Direction(DirectionBehavior b)
    {
        var step = b.MaxStep is { } m && (m.Pods is not null || m.Percent is not null)
            ? string.Join(" or ", new[] { m.Pods is { } pods ? $"{pods} pods" : null, m.Percent is { } pct ? $"{Number(pct)}%" : null }.OfType<string>())
            : "unlimited";
        var tolerance = b.Tolerance is { } t ? $", tolerance {Number(t * 100)}%" : "";
        return $"max step {step} per {Seconds(b.PeriodSeconds)}, stabilization {Seconds(b.StabilizationWindowSeconds)}, cooldown {Seconds(b.CooldownSeconds)}{tolerance}";
    }

    public static string ChangeBudget(int budget) => budget == 0 ? "off" : $"{budget} changes per 10m";

    public static string Schedule(Schedule s)
    {
        var when = s.Cron is { } cron
            ? $"cron \"{cron}\"{(s.TimeZone is { } tz ? $" ({tz})" : "")}{(s.DurationSeconds is { } d ? $" for {Seconds(d)}" : "")}"
            : $"from {s.Start:u} until {s.End:u}";
        var except = s.ExcludeDates is { Count: > 0 } days
            ? $", not on {string.Join(", ", days.Take(5))}{(days.Count > 5 ? $" and {days.Count - 5} more days" : "")}"
            : "";
        return $"min {s.MinReplicas} replicas, {when}{except}";
    }

    public static string Escalation(Escalation e) =>
        $"after {Seconds(e.AfterSeconds)}: {e.DingType ?? "InApp"} DING to {(e.Receivers is { Count: > 0 } r ? string.Join(", ", r) : "the approvers")}";

    /// <summary>The way back after a hot event: one proposal when scale-down is by approval, else what happens instead.</summary>
    public static string ReturnToNormal(string? scaleDownMode, int afterSeconds) =>
        !string.Equals(scaleDownMode, "Approval", StringComparison.OrdinalIgnoreCase) ? $"n/a (scale-down mode is {scaleDownMode ?? "?"})"
        : afterSeconds == 0 ? "off (scale-downs are proposed step by step as the demand falls)"
        : $"one proposal back to the pre-event replicas after {Seconds(afterSeconds)} of demand at or under them, on the event's card";

    private static string Seconds(int seconds) => CompactDuration.Of(TimeSpan.FromSeconds(seconds));

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
