using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>HPA-style stabilization and per-period step limits, computed from the policy's history.</summary>
internal static class ReplicaLimits
{
    /// <summary>
    /// HPA's stabilization: scale up only to the lowest recommendation of the up-window, scale down only to the
    /// highest of the down-window. <paramref name="recommendation"/> joins the recorded ones, and the down-window the count the loop found when it started watching.
    /// </summary>
    public static int Stabilize(int current, int recommendation, PolicyHistory history, ScalingBehavior behavior, DateTimeOffset now, int? downWindowSeconds = null)
    {
        var upFrom = now - TimeSpan.FromSeconds(behavior.ScaleUp.StabilizationWindowSeconds);
        var downFrom = now - TimeSpan.FromSeconds(downWindowSeconds ?? behavior.ScaleDown.StabilizationWindowSeconds);
        var upRecommendation = recommendation;
        var downRecommendation = recommendation;
        if (history.RecommendationExtremes is { } kept)
        {
            // In time order: the windows' lowest and highest are kept as recommendations arrive (no scan).
            upRecommendation = Math.Min(upRecommendation, kept.LowestAfter(upFrom.UtcTicks) ?? int.MaxValue);
            downRecommendation = Math.Max(downRecommendation, kept.HighestAfter(downFrom.UtcTicks) ?? int.MinValue);
        }
        else
        {
            // The clock stepped back: scan from the newest until a recommendation older than both windows.
            var recorded = history.RecommendationSpan;
            for (var i = recorded.Length - 1; i >= 0; i--)
            {
                var (time, replicas) = recorded[i];
                if (time < upFrom && time < downFrom)
                {
                    break;
                }

                if (time > upFrom)
                {
                    upRecommendation = Math.Min(upRecommendation, replicas);
                }

                if (time > downFrom)
                {
                    downRecommendation = Math.Max(downRecommendation, replicas);
                }
            }
        }

        // The count the loop found when it started watching stands in for the recommendations it did not see
        // (PolicyHistory.RecordWatchStart), on the way down only: it must not cut capacity, and it must not hold back
        // a scale-up either (upstream's seed also joins the up window; a leader change in a storm should not wait).
        if (history.WatchStart is { } start && start.Time > downFrom)
        {
            downRecommendation = Math.Max(downRecommendation, start.Replicas);
        }

        var result = current;
        if (result < upRecommendation)
        {
            result = upRecommendation;
        }

        if (result > downRecommendation)
        {
            result = downRecommendation;
        }

        return result;
    }

    /// <summary>Highest count allowed now: the period's starting count plus the step (larger of pods and percent).</summary>
    public static int ScaleUpLimit(int current, PolicyHistory history, DirectionBehavior behavior, DateTimeOffset now)
    {
        if (behavior.MaxStep is not { } step)
        {
            return int.MaxValue;
        }

        var periodStart = current - ChangedInPeriod(history, now, behavior.PeriodSeconds, up: true);
        long limit = periodStart;
        if (step.Pods is { } pods)
        {
            limit = Math.Max(limit, (long)periodStart + pods);
        }

        if (step.Percent is { } percent)
        {
            limit = Math.Max(limit, (long)Math.Ceiling(periodStart * (1 + (percent / 100))));
        }

        return (int)Math.Clamp(limit, current, int.MaxValue);
    }

    /// <summary>Lowest count allowed now: the period's starting count minus the step (larger of pods and percent).</summary>
    public static int ScaleDownLimit(int current, PolicyHistory history, DirectionBehavior behavior, DateTimeOffset now)
    {
        if (behavior.MaxStep is not { } step)
        {
            return 0;
        }

        var periodStart = current + ChangedInPeriod(history, now, behavior.PeriodSeconds, up: false);
        var limit = periodStart;
        if (step.Pods is { } pods)
        {
            limit = Math.Min(limit, periodStart - pods);
        }

        if (step.Percent is { } percent)
        {
            limit = Math.Min(limit, (int)Math.Floor(periodStart * (1 - (Math.Min(percent, 100) / 100))));
        }

        return Math.Clamp(limit, 0, current);
    }

    /// <summary>The window the change budget counts over.</summary>
    public static readonly TimeSpan BudgetWindow = TimeSpan.FromMinutes(10);

    /// <summary>Changes applied after <paramref name="from"/>.</summary>
    public static int ChangesSince(PolicyHistory history, DateTimeOffset from)
    {
        var count = 0;
        var changes = history.Changes;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            count++;
        }

        return count;
    }

    /// <summary>When the last change in a direction ends its cooldown, or null when none is running.</summary>
    public static DateTimeOffset? CooldownEnds(PolicyHistory history, int cooldownSeconds, DateTimeOffset now)
    {
        if (cooldownSeconds <= 0 || history.Changes.Count == 0)
        {
            return null;
        }

        var ends = history.Changes[^1].Time + TimeSpan.FromSeconds(cooldownSeconds);
        return ends > now ? ends : null;
    }

    private static int ChangedInPeriod(PolicyHistory history, DateTimeOffset now, int periodSeconds, bool up)
    {
        var from = now - TimeSpan.FromSeconds(periodSeconds);
        var total = 0;
        var changes = history.Changes;
        for (var i = changes.Count - 1; i >= 0 && changes[i].Time > from; i--)
        {
            var delta = changes[i].To - changes[i].From;
            if (up && delta > 0)
            {
                total += delta;
            }
            else if (!up && delta < 0)
            {
                total -= delta;
            }
        }

        return total;
    }
}
