using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Policies.Validation;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The event's window <see cref="DaysBefore"/> days earlier, up to now: where its baseline is read; or, with
/// <see cref="Level"/>, the hour before now that many days earlier (0: the hour before now), which compares the level
/// then with today's.
/// </summary>
public readonly record struct BaselineWindow(int DaysBefore, DateTimeOffset From, DateTimeOffset To, bool Level = false)
{
    /// <summary>A few dozen points per window (at least a minute apart): enough for a typical level, small enough to be quick.</summary>
    public TimeSpan Step => TimeSpan.FromSeconds(Math.Max(60, Math.Ceiling((To - From).TotalSeconds / 100)));
}

/// <summary>What one metric's query showed in one window: its points, or why it could not be read.</summary>
public sealed record BaselineSeries(BaselineWindow Window, string Query, IReadOnlyList<MetricPoint> Points, string? Problem = null);

/// <summary>
/// What <c>--expect 3x</c> multiplies: <see cref="Replicas"/> (never below <see cref="RunningNow"/>: the running count,
/// or what the traffic needs now while a pin or freeze holds the workload), the forecast when
/// one was read (<see cref="Forecast"/>) and <see cref="Source"/>, the words that say where the base came from.
/// </summary>
public sealed record EventBase(int Replicas, int RunningNow, int? Forecast, string Source);

/// <summary>
/// The baseline of an expected event as a seasonal naive forecast: the demand the policy's metrics showed over the
/// event's window at the same time of day on the most recent day that has passed (at − k days for an event k days
/// ahead) and, as a second opinion, the same time a whole number of weeks before (a Monday looks like a Monday); the
/// higher counts. Each day's demand is moved by how today compares with it (the hour before now, today and that day:
/// <see cref="LevelWindows"/>, ×0.5–2), so a week of growth or a quiet holiday last week is not carried over. Demand is
/// converted to pods as the engine converts a PerReplica metric (the window's median / target, rounded up, the highest
/// over the metrics: the typical level then, so a spike in that window, such as that day's own push, is not
/// multiplied). A per-pod average (Average) cannot be: the replica count it was averaged
/// over then is unknown. The base is never below today's count: a forecast lower than now, or none, leaves it at now.
/// </summary>
public static class ExpectedEventBaseline
{
    /// <summary>The longest <see cref="EventBase.Source"/> (it is stored with the event).</summary>
    public const int MaxSourceLength = 300;

    private const int DaysPerWeek = 7;

    /// <summary>How much of today, and of the day read, tells the level of each: the hour before now.</summary>
    public static readonly TimeSpan LevelSpan = TimeSpan.FromHours(1);

    /// <summary>Today's level moves a past day's demand by at most this much either way (a factor, as the leading signal's rescale).</summary>
    private const double MostLevel = 2;

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

    /// <summary>
    /// The hours that compare today's level with each window's day: the hour before now today (days 0) and the same
    /// hour on each window's day. A day that ran 20 % below today at this hour is taken as 20 % below at the event's
    /// time too (traffic that grew over the week, a quieter holiday a week ago).
    /// </summary>
    public static IReadOnlyList<BaselineWindow> LevelWindows(IReadOnlyList<BaselineWindow> windows, DateTimeOffset now)
    {
        return [Level(0), .. windows.Where(w => !w.Level).Select(w => w.DaysBefore).Distinct().Select(Level)];

        BaselineWindow Level(int daysBefore)
        {
            var to = Plus(now, TimeSpan.FromDays(-daysBefore));
            return new BaselineWindow(daysBefore, Plus(to, -LevelSpan), to, Level: true);
        }
    }

    /// <summary>The metrics a forecast can be read from: the PerReplica ones (a total, such as QPS).</summary>
    public static IReadOnlyList<MetricSpec> Convertible(ScalePolicySpec spec) =>
        [.. spec.Metrics.Where(m => m.TargetType == MetricTargetType.PerReplica && m.Target > 0)];

    /// <summary>
    /// The base from what was read (<paramref name="series"/>: one per window and query of <see cref="Convertible"/>).
    /// <paramref name="runningNow"/>: the workload's replicas now (at least 1), or, while an override holds it, what the
    /// traffic needs now; <paramref name="nowWords"/> says which ("12 running now" when not given).
    /// </summary>
    public static EventBase Base(ScalePolicySpec spec, int runningNow, IReadOnlyList<BaselineSeries> series, string? nowWords = null)
    {
        runningNow = Math.Max(1, runningNow);
        var now = nowWords ?? string.Create(CultureInfo.InvariantCulture, $"{runningNow} running now");
        var metrics = Convertible(spec);
        if (metrics.Count == 0)
        {
            return Unforecast(runningNow, now, "the policy's metrics are per-pod averages, and the replica count they were averaged over then is unknown");
        }

        (BaselineWindow Window, int Pods, double Level)? best = null;
        foreach (var window in series.Select(s => s.Window).Where(w => !w.Level).Distinct())
        {
            if (PodsIn(window, metrics, series) is { } read && (best is null || read.Pods > best.Value.Pods))
            {
                best = (window, read.Pods, read.Level);
            }
        }

        if (best is not { } forecast)
        {
            var windows = series.Where(s => !s.Window.Level).Select(s => s.Window.DaysBefore).Distinct().Order().ToList();
            var problem = series.Select(s => s.Problem).FirstOrDefault(p => p is { Length: > 0 });
            return Unforecast(runningNow, now, problem ?? $"no data for that time {DaysText(windows)} before");
        }

        var level = Math.Abs(forecast.Level - 1) < 0.005 ? "" : string.Create(CultureInfo.InvariantCulture, $" x{forecast.Level:0.##} for today's level");
        var demand = $"the demand {DaysText([forecast.Window.DaysBefore])} before, at {forecast.Window.From.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)}{level}";
        return forecast.Pods > runningNow
            ? new EventBase(forecast.Pods, runningNow, forecast.Pods, Bounded($"{demand}; {now}"))
            : new EventBase(runningNow, runningNow, forecast.Pods, Bounded($"{now}; {demand}, asked {forecast.Pods}"));
    }

    /// <summary>
    /// Pods for the window's demand: each metric's median × its level (<see cref="LevelOf"/>) / target, rounded up, the
    /// highest, with the level behind it; null when no metric has a point there.
    /// </summary>
    private static (int Pods, double Level)? PodsIn(BaselineWindow window, IReadOnlyList<MetricSpec> metrics, IReadOnlyList<BaselineSeries> series)
    {
        (int Pods, double Level)? read = null;
        foreach (var metric in metrics)
        {
            if (MedianIn(window, metric.Query, series) is { } value)
            {
                var level = LevelOf(window.DaysBefore, metric.Query, series);
                // A hair above an integer (floating-point noise) must not cost a whole pod, as in the engine.
                var needed = (int)Math.Clamp(Math.Ceiling((Math.Max(0, value) * level / metric.Target) - 1e-9), 0, int.MaxValue);
                read = read is { } r && r.Pods >= needed ? r : (needed, level);
            }
        }

        return read;
    }

    /// <summary>
    /// Today's level over the level <paramref name="daysBefore"/> days back, both the median of the hour before now, held
    /// to 1/<see cref="MostLevel"/>–<see cref="MostLevel"/>; 1 when either hour was not read or had no traffic.
    /// </summary>
    private static double LevelOf(int daysBefore, string query, IReadOnlyList<BaselineSeries> series)
    {
        var now = series.FirstOrDefault(s => s.Window.Level && s.Window.DaysBefore == 0 && s.Query == query);
        var then = series.FirstOrDefault(s => s.Window.Level && s.Window.DaysBefore == daysBefore && s.Query == query);
        return now is not null && then is not null
               && MedianIn(now.Window, query, series) is > 0 and var today
               && MedianIn(then.Window, query, series) is > 0 and var before
            ? Math.Clamp(today / before, 1 / MostLevel, MostLevel)
            : 1;
    }

    /// <summary>The median of the query's finite points inside <paramref name="window"/>; null for none.</summary>
    private static double? MedianIn(BaselineWindow window, string query, IReadOnlyList<BaselineSeries> series)
    {
        var points = series.FirstOrDefault(s => s.Window == window && s.Query == query)?.Points ?? [];
        return Median(points.Where(p => p.Time >= window.From && p.Time <= window.To && double.IsFinite(p.Value)));
    }

    /// <summary>The middle value (the upper of the two for an even count); null for none.</summary>
    private static double? Median(IEnumerable<MetricPoint> points)
    {
        var values = points.Select(p => p.Value).Order().ToList();
        return values.Count == 0 ? null : values[values.Count / 2];
    }

    private static EventBase Unforecast(int runningNow, string now, string why) =>
        new(runningNow, runningNow, null, Bounded($"{now}; no forecast: {why}"));

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
