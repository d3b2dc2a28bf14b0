using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>What the HPA controller remembers of one HPA between syncs (in memory, as kube-controller-manager does).</summary>
internal sealed class HpaHistory
{
    public DateTimeOffset? LastSync { get; set; }

    public long Generation { get; set; }

    public List<(int Replicas, DateTimeOffset At)> Recommendations { get; } = [];

    public List<(int Change, DateTimeOffset At)> ScaleUps { get; } = [];

    public List<(int Change, DateTimeOffset At)> ScaleDowns { get; } = [];

    /// <summary>The last warning recorded as an Event, so a failing metric is one Event, not one per sync.</summary>
    public string? LastWarning { get; set; }
}

/// <summary>
/// spec.behavior as the HPA controller applies it (normalizeDesiredReplicasWithBehaviors): the stabilization windows
/// over recent recommendations, then the scaling policies' rate limits and the bounds, with the AbleToScale and
/// ScalingLimited conditions they set. An absent behavior, or an absent part, takes the apiserver's defaults: up
/// without a window, max(100 %, 4 pods) per 15 s; down over a 300 s window, 100 % per 15 s.
/// </summary>
internal static class HpaBehavior
{
    private sealed record Policy(string Type, int Value, int PeriodSeconds);

    private sealed record Rules(int WindowSeconds, string Select, IReadOnlyList<Policy> Policies);

    public sealed record Outcome(int Replicas, HpaCondition AbleToScale, HpaCondition ScalingLimited);

    public static Outcome Normalize(JsonObject? behavior, HpaHistory history, int current, int desired, int min, int max, DateTimeOffset now)
    {
        var up = RulesOf(behavior?["scaleUp"] as JsonObject, up: true);
        var down = RulesOf(behavior?["scaleDown"] as JsonObject, up: false);
        var stabilized = Stabilize(history, up, down, current, desired, now);
        var able = stabilized == desired
            ? new HpaCondition("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size")
            : desired >= current
                ? new HpaCondition("AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation")
                : new HpaCondition("AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation");
        var (replicas, reason, message) = RateLimited(history, up, down, current, stabilized, min, max, now);
        return new Outcome(replicas, able, new HpaCondition("ScalingLimited", replicas == stabilized ? "False" : "True", reason, message));
    }

    /// <summary>Remembers a rescale for the policies' periods (storeScaleEvent); what is older than any period is dropped.</summary>
    public static void RecordScale(HpaHistory history, int from, int to, DateTimeOffset now)
    {
        var keep = now - TimeSpan.FromMinutes(30); // the longest periodSeconds the API accepts is 1800
        history.ScaleUps.RemoveAll(e => e.At < keep);
        history.ScaleDowns.RemoveAll(e => e.At < keep);
        (to > from ? history.ScaleUps : history.ScaleDowns).Add((Math.Abs(to - from), now));
    }

    // stabilizeRecommendationWithBehaviors: the lowest recommendation of the up window, the highest of the down window.
    private static int Stabilize(HpaHistory history, Rules up, Rules down, int current, int desired, DateTimeOffset now)
    {
        var upCutoff = now.AddSeconds(-up.WindowSeconds);
        var downCutoff = now.AddSeconds(-down.WindowSeconds);
        var upRecommendation = desired;
        var downRecommendation = desired;
        var oldest = -1;
        for (var i = 0; i < history.Recommendations.Count; i++)
        {
            var (replicas, at) = history.Recommendations[i];
            if (at > upCutoff)
            {
                upRecommendation = Math.Min(replicas, upRecommendation);
            }

            if (at > downCutoff)
            {
                downRecommendation = Math.Max(replicas, downRecommendation);
            }

            if (at < upCutoff && at < downCutoff)
            {
                oldest = i;
            }
        }

        var recommendation = Math.Min(Math.Max(current, upRecommendation), downRecommendation);
        if (oldest >= 0)
        {
            history.Recommendations[oldest] = (desired, now);
        }
        else
        {
            history.Recommendations.Add((desired, now));
        }

        return recommendation;
    }

    // convertDesiredReplicasWithBehaviorRate.
    private static (int, string, string) RateLimited(HpaHistory history, Rules up, Rules down, int current, int desired, int min, int max, DateTimeOffset now)
    {
        if (desired > current)
        {
            var limit = Math.Max(current, Limit(history, up, current, now, scaleUp: true));
            var (allowed, reason, message) = max > limit
                ? (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
                : (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count");
            if (desired > allowed)
            {
                return (allowed, reason, message);
            }
        }
        else if (desired < current)
        {
            var limit = Math.Min(current, Limit(history, down, current, now, scaleUp: false));
            var (allowed, reason, message) = min < limit
                ? (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
                : (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
            if (desired < allowed)
            {
                return (allowed, reason, message);
            }
        }

        return (desired, "DesiredWithinRange", "the desired count is within the acceptable range");
    }

    // calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: each policy from the count at the
    // start of its period; selectPolicy Max takes the largest change, Min the smallest, Disabled none.
    private static int Limit(HpaHistory history, Rules rules, int current, DateTimeOffset now, bool scaleUp)
    {
        if (rules.Select == "Disabled")
        {
            return current;
        }

        var largest = rules.Select != "Min";
        int? result = null;
        foreach (var policy in rules.Policies)
        {
            var cutoff = now.AddSeconds(-policy.PeriodSeconds);
            var periodStart = current - history.ScaleUps.Where(e => e.At > cutoff).Sum(e => e.Change) + history.ScaleDowns.Where(e => e.At > cutoff).Sum(e => e.Change);
            var proposed = scaleUp
                ? policy.Type == "Pods" ? periodStart + policy.Value : (int)Math.Ceiling(periodStart * (1 + (policy.Value / 100.0)))
                : policy.Type == "Pods" ? periodStart - policy.Value : (int)(periodStart * (1 - (policy.Value / 100.0)));
            result = result is not { } r ? proposed : scaleUp == largest ? Math.Max(r, proposed) : Math.Min(r, proposed);
        }

        return result ?? current;
    }

    // GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: the defaults for what the spec leaves out.
    private static Rules RulesOf(JsonObject? rules, bool up)
    {
        var policies = (rules?["policies"] as JsonArray)?.OfType<JsonObject>()
            .Select(p => new Policy((string?)p["type"] ?? "Pods", JsonPaths.GetInt(p, "value") ?? 0, JsonPaths.GetInt(p, "periodSeconds") ?? 15))
            .ToList();
        return new Rules(
            JsonPaths.GetInt(rules ?? [], "stabilizationWindowSeconds") ?? (up ? 0 : 300),
            JsonPaths.GetString(rules, "selectPolicy") ?? "Max",
            policies is { Count: > 0 } ? policies : up ? [new Policy("Pods", 4, 15), new Policy("Percent", 100, 15)] : [new Policy("Percent", 100, 15)]);
    }
}

/// <summary>One entry of an HPA's status.conditions.</summary>
internal sealed record HpaCondition(string Type, string Status, string Reason, string Message);
