using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Metrics;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The replica count one Resource or ContainerResource metric asks for, as kube-controller-manager's
/// replica_calculator computes it (GetResourceReplicas, GetRawResourceReplicas): ready pods' usage over their requests
/// (or their average usage), a 0.1 tolerance, pods missing metrics counted conservatively (at the target on a
/// scale-down, at 0 on a scale-up), unready pods at 0 on a scale-up, and no change that would turn the direction.
/// </summary>
internal static class HpaReplicaCalculator
{
    public const double Tolerance = 0.1;

    // kube-controller-manager's --horizontal-pod-autoscaler-cpu-initialization-period and initial-readiness-delay.
    private static readonly TimeSpan s_cpuInitializationPeriod = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan s_initialReadinessDelay = TimeSpan.FromSeconds(30);

    /// <summary>What a metric yields: a proposal and its status, or the error (and condition reason) that invalidates it.</summary>
    public sealed record Result(int Replicas, string MetricName, JsonObject? Status, string? Reason, string? Error);

    /// <param name="spec">One entry of spec.metrics.</param>
    /// <param name="pods">The pods the target's selector matches.</param>
    /// <param name="usage">The metrics API's pods now (<see cref="MetricsServer.ReadPodUsage"/>).</param>
    public static Result Compute(JsonObject spec, int currentReplicas, IReadOnlyList<JsonObject> pods,
        IReadOnlyDictionary<(string, string), IReadOnlyList<ContainerUsage>> usage, DateTimeOffset now)
    {
        var type = (string?)spec["type"];
        if (type is not ("Resource" or "ContainerResource"))
        {
            // The sandbox serves no custom or external metrics API, as a cluster without a metrics adapter.
            var source = type switch { "Pods" => "pods", "Object" => "object", "External" => "external", _ => null };
            if (source is null)
            {
                return Invalid("InvalidMetricSourceType", $"unknown metric source type \"{type}\"");
            }

            var api = type == "External" ? "external metrics API" : "custom metrics API";
            return Invalid($"FailedGet{type}Metric",
                $"unable to get metric {JsonPaths.GetString(spec, $"{source}.metric.name")}: unable to fetch metrics from {api}: " +
                $"no {api} ({(type == "External" ? "external" : "custom")}.metrics.k8s.io) registered");
        }

        var field = type == "Resource" ? "resource" : "containerResource";
        var resource = JsonPaths.GetString(spec, $"{field}.name") ?? "";
        var container = type == "ContainerResource" ? JsonPaths.GetString(spec, $"{field}.container") ?? "" : null;
        var reason = type == "Resource" ? "FailedGetResourceMetric" : "FailedGetContainerResourceMetric";
        if (resource is not ("cpu" or "memory"))
        {
            return Invalid(reason, $"failed to get {resource} utilization: unable to get metrics for resource {resource}: no metrics returned from resource metrics API");
        }

        var samples = Samples(pods, usage, resource, container);
        if (Text(spec, $"{field}.target.averageValue") is { } averageText)
        {
            var target = Milli(Quantity.Parse(averageText) ?? 0);
            var plain = Plain(currentReplicas, target, pods, samples, resource, now);
            return plain.Error is { } error
                ? Invalid(reason, $"failed to get {resource} usage: {error}")
                : new Result(plain.Replicas, $"{resource} {(container is null ? "resource" : $"container resource for container {container}")}",
                    Status(type, field, resource, container, null, plain.Average), null, null);
        }

        if (JsonPaths.GetInt(spec, $"{field}.target.averageUtilization") is not { } utilization)
        {
            return Invalid(reason, $"invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
        }

        var ratio = Utilization(currentReplicas, utilization, pods, samples, resource, container, now);
        return ratio.Error is { } failed
            ? Invalid(reason, $"failed to get {resource} utilization: {failed}")
            : new Result(ratio.Replicas, $"{resource} {(container is null ? "resource" : $"container resource for container {container}")} utilization (percentage of request)",
                Status(type, field, resource, container, ratio.Utilization, ratio.Average), null, null);
    }

    private static Result Invalid(string reason, string error) => new(0, "", null, reason, error);

    private static JsonObject Status(string type, string field, string resource, string? container, int? utilization, long averageMilli)
    {
        var current = new JsonObject();
        if (utilization is { } percent)
        {
            current["averageUtilization"] = percent;
        }

        current["averageValue"] = FormatMilli(averageMilli);
        var source = new JsonObject { ["name"] = resource };
        if (container is not null)
        {
            source["container"] = container;
        }

        source["current"] = current;
        return new JsonObject { ["type"] = type, [field] = source };
    }

    // The milli-units the metrics client reads: millicores, or milli-bytes.
    private static long Milli(decimal units) => (long)Math.Ceiling(units * 1000);

    private static Dictionary<string, long> Samples(
        IReadOnlyList<JsonObject> pods, IReadOnlyDictionary<(string, string), IReadOnlyList<ContainerUsage>> usage, string resource, string? container)
    {
        var samples = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var key = (JsonPaths.GetString(pod, "metadata.namespace") ?? "", JsonPaths.GetString(pod, "metadata.name") ?? "");
            if (usage.TryGetValue(key, out var containers))
            {
                var chosen = containers.Where(c => container is null || c.Name == container).ToList();
                if (chosen.Count > 0)
                {
                    samples[key.Item2] = chosen.Sum(c => resource == "cpu" ? (c.NanoCpu + 999_999) / 1_000_000 : c.Memory * 1000); // MilliValue rounds up
                }
            }
        }

        return samples;
    }

    private sealed record Groups(int Ready, HashSet<string> Unready, HashSet<string> Missing, HashSet<string> Ignored);

    // groupPods: deleted or failed pods are ignored, pending ones unready, ones without metrics missing; for CPU a pod
    // not ready, or still in its first 5 minutes and ready for less than one metrics window, is unready too.
    private static Groups Group(IReadOnlyList<JsonObject> pods, Dictionary<string, long> samples, string resource, DateTimeOffset now)
    {
        var groups = new Groups(0, [], [], []);
        var ready = 0;
        foreach (var pod in pods)
        {
            var name = JsonPaths.GetString(pod, "metadata.name") ?? "";
            var phase = JsonPaths.GetString(pod, "status.phase");
            if (pod["metadata"]?["deletionTimestamp"] is not null || phase == "Failed")
            {
                groups.Ignored.Add(name);
            }
            else if (phase == "Pending")
            {
                groups.Unready.Add(name);
            }
            else if (!samples.ContainsKey(name))
            {
                groups.Missing.Add(name);
            }
            else if (resource == "cpu" && UnreadyForCpu(pod, now))
            {
                groups.Unready.Add(name);
            }
            else
            {
                ready++;
            }
        }

        return groups with { Ready = ready };
    }

    private static bool UnreadyForCpu(JsonObject pod, DateTimeOffset now)
    {
        var condition = BuiltInResources.ConditionOf(pod, "Ready");
        var started = Timestamps.Parse(JsonPaths.GetString(pod, "status.startTime"));
        if (condition is null || started is null)
        {
            return true;
        }

        var isFalse = (string?)condition["status"] == "False";
        var transition = Timestamps.Parse((string?)condition["lastTransitionTime"]) ?? started.Value;
        return started.Value + s_cpuInitializationPeriod > now
            ? isFalse || now < transition + UsageModel.Window
            : isFalse && started.Value + s_initialReadinessDelay > transition;
    }

    private sealed record Ratio(int Replicas, int Utilization, long Average, string? Error);

    private static Ratio Utilization(int current, int target, IReadOnlyList<JsonObject> pods, Dictionary<string, long> samples,
        string resource, string? container, DateTimeOffset now)
    {
        if (pods.Count == 0)
        {
            return new(0, 0, 0, "no pods returned by selector while calculating replica count");
        }

        var groups = Group(pods, samples, resource, now);
        foreach (var name in groups.Ignored.Concat(groups.Unready))
        {
            samples.Remove(name);
        }

        if (samples.Count == 0)
        {
            return new(0, 0, 0, "did not receive metrics for targeted pods (pods might be unready)");
        }

        var requests = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var name = JsonPaths.GetString(pod, "metadata.name") ?? "";
            var sum = 0L;
            foreach (var c in (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var containerName = JsonPaths.GetString(c, "name") ?? "";
                if (container is not null && container != containerName)
                {
                    continue;
                }

                if (Quantity.Parse(JsonPaths.GetString(c["resources"], $"requests.{resource}")) is not { } request)
                {
                    return new(0, 0, 0, $"missing request for {resource} in container {containerName} of Pod {name}");
                }

                sum += Milli(request);
            }

            requests[name] = sum;
        }

        if (!UtilizationRatio(samples, requests, target, out var usageRatio, out var utilization, out var average))
        {
            return new(0, 0, 0, "no metrics returned matched known pods");
        }

        var scaleUpWithUnready = groups.Unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && groups.Missing.Count == 0)
        {
            return Math.Abs(1.0 - usageRatio) <= Tolerance
                ? new(current, utilization, average, null)
                : new((int)Math.Ceiling(usageRatio * groups.Ready), utilization, average, null);
        }

        foreach (var name in groups.Missing)
        {
            // A scale-down counts a pod without metrics at its whole request (or the target above 100 %), a scale-up at 0.
            samples[name] = usageRatio < 1.0 ? requests[name] * Math.Max(100, target) / 100 : 0;
        }

        if (scaleUpWithUnready)
        {
            foreach (var name in groups.Unready)
            {
                samples[name] = 0;
            }
        }

        UtilizationRatio(samples, requests, target, out var newRatio, out _, out _);
        return new(Rebalanced(current, usageRatio, newRatio, samples.Count), utilization, average, null);
    }

    // GetResourceUtilizationRatio: the utilization is a whole percentage, and the ratio is taken from it.
    private static bool UtilizationRatio(Dictionary<string, long> samples, Dictionary<string, long> requests, int target,
        out double ratio, out int utilization, out long average)
    {
        long used = 0, requested = 0, entries = 0;
        foreach (var (name, value) in samples)
        {
            if (requests.TryGetValue(name, out var request))
            {
                used += value;
                requested += request;
                entries++;
            }
        }

        ratio = 0;
        utilization = 0;
        average = 0;
        if (requested == 0)
        {
            return false;
        }

        utilization = (int)(used * 100 / requested);
        ratio = (double)utilization / target;
        average = used / entries;
        return true;
    }

    private sealed record PlainUsage(int Replicas, long Average, string? Error);

    // calcPlainMetricReplicas: the pods' average usage against an average value target.
    private static PlainUsage Plain(int current, long target, IReadOnlyList<JsonObject> pods, Dictionary<string, long> samples, string resource, DateTimeOffset now)
    {
        if (pods.Count == 0)
        {
            return new(0, 0, "no pods returned by selector while calculating replica count");
        }

        var groups = Group(pods, samples, resource, now);
        foreach (var name in groups.Ignored.Concat(groups.Unready))
        {
            samples.Remove(name);
        }

        if (samples.Count == 0)
        {
            return new(0, 0, "did not receive metrics for targeted pods (pods might be unready)");
        }

        var average = samples.Values.Sum() / samples.Count;
        var usageRatio = target == 0 ? double.PositiveInfinity : (double)average / target;
        var scaleUpWithUnready = groups.Unready.Count > 0 && usageRatio > 1.0;
        if (!scaleUpWithUnready && groups.Missing.Count == 0)
        {
            return Math.Abs(1.0 - usageRatio) <= Tolerance
                ? new(current, average, null)
                : new((int)Math.Ceiling(usageRatio * samples.Count), average, null);
        }

        foreach (var name in groups.Missing)
        {
            samples[name] = usageRatio < 1.0 ? target : 0;
        }

        if (scaleUpWithUnready)
        {
            foreach (var name in groups.Unready)
            {
                samples[name] = 0;
            }
        }

        var newRatio = target == 0 ? double.PositiveInfinity : (double)(samples.Values.Sum() / samples.Count) / target;
        return new(Rebalanced(current, usageRatio, newRatio, samples.Count), average, null);
    }

    // After filling in missing and unready pods: no change within the tolerance, nor one that turns the direction.
    private static int Rebalanced(int current, double usageRatio, double newRatio, int counted)
    {
        if (Math.Abs(1.0 - newRatio) <= Tolerance || (usageRatio < 1.0 && newRatio > 1.0) || (usageRatio > 1.0 && newRatio < 1.0))
        {
            return current;
        }

        var replicas = (int)Math.Ceiling(newRatio * counted);
        return (newRatio < 1.0 && replicas > current) || (newRatio > 1.0 && replicas < current) ? current : replicas;
    }

    private static string? Text(JsonObject o, string path) => JsonPaths.Get(o, path)?.ToString();

    /// <summary>A milli-value as resource.NewMilliQuantity(v, DecimalSI) prints it: "175m", "3", "210M", "209715200".</summary>
    public static string FormatMilli(long milli)
    {
        if (milli == 0)
        {
            return "0";
        }

        foreach (var (suffix, factor) in new[] { ("P", 1_000_000_000_000_000_000m), ("T", 1_000_000_000_000_000m), ("G", 1_000_000_000_000m), ("M", 1_000_000_000m), ("k", 1_000_000m), ("", 1000m) })
        {
            if (milli % factor == 0)
            {
                return ((decimal)milli / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return milli.ToString(CultureInfo.InvariantCulture) + "m";
    }
}
