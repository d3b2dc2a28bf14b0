using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>The event's window <see cref="DaysBefore"/> days earlier, up to now: where its baseline is read.</summary>
public readonly record struct BaselineWindow(int DaysBefore, DateTimeOffset From, DateTimeOffset To)
{
    /// <summary>A few dozen points per window (at least a minute apart): enough for a typical level, small enough to be quick.</summary>
    public TimeSpan Step => TimeSpan.FromSeconds(Math.Max(60, Math.Ceiling((To - From).TotalSeconds / 100)));
}

/// <summary>What one metric's query showed in one window: its points, or why it could not be read.</summary>
public sealed record BaselineSeries(BaselineWindow Window, string Query, IReadOnlyList<MetricPoint> Points, string? Problem = null);

/// <summary>
/// What <c>--expect 3x</c> multiplies: <see cref="Replicas"/> (never below <see cref="RunningNow"/>), the forecast when
/// one was read (<see cref="Forecast"/>) and <see cref="Source"/>, the words that say where the base came from.
/// </summary>
public sealed record EventBase(int Replicas, int RunningNow, int? Forecast, string Source);

/// <summary>
/// The baseline of an expected event as a seasonal naive forecast: the demand the policy's metrics showed over the
/// event's window at the same time of day on the most recent day that has passed (at − k days for an event k days
/// ahead) and, as a second opinion, the same time a whole number of weeks before (a Monday looks like a Monday); the
/// higher counts. Demand is converted to pods as the engine converts a PerReplica metric (the window's median / target,
/// rounded up, the highest over the metrics: the typical level then, so a spike in that window, such as that day's own
/// push, is not multiplied). A per-pod average (Average) cannot be: the replica count it was averaged
/// over then is unknown. The base is never below today's count: a forecast lower than now, or none, leaves it at now.
/// </summary>
public static class ExpectedEventBaseline
{
    /// <summary>The longest <see cref="EventBase.Source"/> (it is stored with the event).</summary>
    public const int MaxSourceLength = 300;

    private const int DaysPerWeek = 7;

    /// <summary>
    /// The windows to read: the event's (from <paramref name="at"/> for its duration) k days earlier, k the fewest whole
    /// days that put it in the past (1 for an event within 24 hours), and k rounded up to whole weeks when that differs.
    /// Each ends at <paramref name="now"/> at the latest.
    /// </summary>
    public static IReadOnlyList<BaselineWindow> Windows(DateTimeOffset at, int durationSeconds, DateTimeOffset now)
    {
        var days = Math.Max(1, (int)Math.Ceiling((at - now).TotalDays));
        var weeks = DaysPerWeek * ((days + DaysPerWeek - 1) / DaysPerWeek);
        return days == weeks ? [Window(days)] : [Window(days), Window(weeks)];

        BaselineWindow Window(int daysBefore)
        {
            var from = Plus(at, TimeSpan.FromDays(-daysBefore));
            var end = Plus(from, TimeSpan.FromSeconds(Math.Max(0, durationSeconds)));
            return new BaselineWindow(daysBefore, from, end < now ? end : now);
        }
    }

    /// <summary>The metrics a forecast can be read from: the PerReplica ones (a total, such as QPS).</summary>
    public static IReadOnlyList<MetricSpec> Convertible(ScalePolicySpec spec) =>
        [.. spec.Metrics.Where(m => m.TargetType == MetricTargetType.PerReplica && m.Target > 0)];

    /// <summary>
    /// The base from what was read (<paramref name="series"/>: one per window and query of <see cref="Convertible"/>).
    /// <paramref name="runningNow"/>: the workload's replicas now (at least 1).
    /// </summary>
    public static EventBase Base(ScalePolicySpec spec, int runningNow, IReadOnlyList<BaselineSeries> series)
    {
        runningNow = Math.Max(1, runningNow);
        var metrics = Convertible(spec);
        if (metrics.Count == 0)
        {
            return Unforecast(runningNow, "the policy's metrics are per-pod averages, and the replica count they were averaged over then is unknown");
        }

        (BaselineWindow Window, int Pods)? best = null;
        foreach (var window in series.Select(s => s.Window).Distinct())
        {
            if (PodsIn(window, metrics, series) is { } pods && (best is null || pods > best.Value.Pods))
            {
                best = (window, pods);
            }
        }

        if (best is not { } forecast)
        {
            var windows = series.Select(s => s.Window.DaysBefore).Distinct().Order().ToList();
            var problem = series.Select(s => s.Problem).FirstOrDefault(p => p is { Length: > 0 });
            return Unforecast(runningNow, problem ?? $"no data for that time {DaysText(windows)} before");
        }

        var demand = $"the demand {DaysText([forecast.Window.DaysBefore])} before, at {forecast.Window.From.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)}";
        return forecast.Pods > runningNow
            ? new EventBase(forecast.Pods, runningNow, forecast.Pods, Bounded($"{demand}; {runningNow} running now"))
            : new EventBase(runningNow, runningNow, forecast.Pods, Bounded($"{runningNow} running now; {demand}, asked {forecast.Pods}"));
    }

    /// <summary>Pods for the window's demand: each metric's median / target, rounded up, the highest; null when no metric has a point there.</summary>
    private static int? PodsIn(BaselineWindow window, IReadOnlyList<MetricSpec> metrics, IReadOnlyList<BaselineSeries> series)
    {
        int? pods = null;
        foreach (var metric in metrics)
        {
            var points = series.FirstOrDefault(s => s.Window == window && s.Query == metric.Query)?.Points ?? [];
            if (Median(points.Where(p => p.Time >= window.From && p.Time <= window.To && double.IsFinite(p.Value))) is { } value)
            {
                // A hair above an integer (floating-point noise) must not cost a whole pod, as in the engine.
                var needed = (int)Math.Clamp(Math.Ceiling((Math.Max(0, value) / metric.Target) - 1e-9), 0, int.MaxValue);
                pods = Math.Max(pods ?? 0, needed);
            }
        }

        return pods;
    }

    /// <summary>The middle value (the upper of the two for an even count); null for none.</summary>
    private static double? Median(IEnumerable<MetricPoint> points)
    {
        var values = points.Select(p => p.Value).Order().ToList();
        return values.Count == 0 ? null : values[values.Count / 2];
    }

    private static EventBase Unforecast(int runningNow, string why) =>
        new(runningNow, runningNow, null, Bounded($"{runningNow} running now; no forecast: {why}"));

    /// <summary>"1 day", "7 days", "1 or 7 days".</summary>
    private static string DaysText(IReadOnlyList<int> days) =>
        string.Join(" or ", days.Select(d => d.ToString(CultureInfo.InvariantCulture))) + (days is [1] ? " day" : " days");

    /// <summary>At most <see cref="MaxSourceLength"/>, on one line: a source's error text may carry anything.</summary>
    private static string Bounded(string text)
    {
        var line = new string([.. text.Select(c => char.IsControl(c) || TextLimits.IsBidiControl(c) ? ' ' : c)]);
        return line.Length <= MaxSourceLength ? line : line[..(MaxSourceLength - 1)] + "…";
    }

    /// <summary>Held at the ends of the calendar, as <see cref="ExpectedEventSpec"/>'s own times.</summary>
    private static DateTimeOffset Plus(DateTimeOffset at, TimeSpan by) =>
        new(Math.Clamp(at.UtcTicks + by.Ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
}
