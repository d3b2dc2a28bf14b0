using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Server.Control.Loop;

/// <summary>
/// What the dashboard's charts of a policy lack when the loop was not watching (a restart, a leader change, a new
/// policy, a lease lost for a while), and the samples that fill it in (<see cref="EvaluationSample.Past"/>): the first
/// metric (the one the ring charts) as Prometheus recorded it over the ring's span — its size at the policy's interval,
/// 30 minutes by default — and the replicas the applied changes left, a step line. Pure: <see cref="HistoryBackfill"/>
/// asks Prometheus, one range query per distinct expression.
/// </summary>
public static class ChartBackfill
{
    /// <summary>One policy's chart lacks <paramref name="Query"/>'s points from <paramref name="From"/> to now, one per <paramref name="Interval"/>, asked at <paramref name="Step"/>.</summary>
    public readonly record struct Gap(string Query, DateTimeOffset From, TimeSpan Step, TimeSpan Interval);

    /// <summary>One range query: the earliest start and the finest step of the gaps that share its expression.</summary>
    public readonly record struct Range(string Query, DateTimeOffset From, TimeSpan Step);

    /// <summary>
    /// The ring's span back from now, or from its newest sample when it holds some (only the gap is asked for); at the
    /// policy's interval, never finer than <paramref name="backfillStep"/> (a point per scrape is all Prometheus has).
    /// Null: a policy without metrics, or nothing missing.
    /// </summary>
    public static Gap? GapOf(ScalePolicySpec spec, DateTimeOffset? newestSample, DateTimeOffset now, int ringSize, TimeSpan backfillStep)
    {
        if (spec.Metrics.Count == 0)
        {
            return null;
        }

        var interval = TimeSpan.FromSeconds(Math.Max(1, spec.EvaluationIntervalSeconds));
        var from = now - (interval * ringSize);
        if (newestSample is { } newest && newest > from)
        {
            from = newest;
        }

        return from < now ? new Gap(spec.Metrics[0].Query, from, interval > backfillStep ? interval : backfillStep, interval) : null;
    }

    /// <summary>One range per distinct expression, at most <paramref name="ringSize"/> points long (gaps of other intervals may share one).</summary>
    public static IReadOnlyList<Range> Ranges(IEnumerable<Gap> gaps, DateTimeOffset now, int ringSize) =>
        gaps.GroupBy(g => g.Query, StringComparer.Ordinal).Select(shared =>
        {
            var step = shared.Min(g => g.Step);
            var earliest = shared.Min(g => g.From);
            var bound = now - (step * ringSize);
            return new Range(shared.Key, earliest > bound ? earliest : bound, step);
        }).ToList();

    /// <summary>
    /// The samples filling <paramref name="gap"/>: a point per interval before now (the tick's own evaluation charts now),
    /// each with the replicas of the last applied change at or before it, or before the first change the replicas it
    /// started from; none known without changes.
    /// </summary>
    public static List<EvaluationSample> Samples(Gap gap, IReadOnlyList<MetricPoint> points, IEnumerable<ScaleChange> changes, DateTimeOffset now)
    {
        var ordered = changes.OrderBy(c => c.Time).ToList();
        var samples = new List<EvaluationSample>();
        var next = 0; // the first change after the point
        foreach (var point in points)
        {
            if (point.Time < gap.From || point.Time >= now || !double.IsFinite(point.Value)
                || (samples.Count > 0 && point.Time - samples[^1].Time < gap.Interval))
            {
                continue;
            }

            while (next < ordered.Count && ordered[next].Time <= point.Time)
            {
                next++;
            }

            int? replicas = next > 0 ? ordered[next - 1].To : next < ordered.Count ? ordered[next].From : null;
            samples.Add(EvaluationSample.Past(point.Time, point.Value, replicas));
        }

        return samples;
    }
}
