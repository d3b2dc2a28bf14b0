using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Metrics;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The HPA controller of kube-controller-manager for Resource and ContainerResource metrics: every 15 s of the clock
/// (and at once when an HPA's spec changes) it reads the target's pods' usage from the emulated metrics API, sizes
/// the target (<see cref="HpaReplicaCalculator"/>), stabilizes and rate-limits the answer (<see cref="HpaBehavior"/>),
/// scales, and writes currentMetrics, the replica counts, lastScaleTime and the AbleToScale, ScalingActive and
/// ScalingLimited conditions with upstream's reasons. Two sandbox shortcuts act on every pass: an answer of the
/// <see cref="SandboxKubernetesOptions.HpaRecommendation"/> hook, clamped to the bounds, wins over the metrics; an HPA
/// without metrics (one seeded past the apiserver's cpu 80 % default) only keeps its target within its bounds.
/// </summary>
internal sealed class HpaController(ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time, MetricsServer metrics)
{
    public static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(15);

    private const string Component = "horizontal-pod-autoscaler";

    private static readonly ResourceType[] s_workloads = [BuiltInResources.Deployments, BuiltInResources.StatefulSets, BuiltInResources.ReplicaSets];

    private readonly Dictionary<string, HpaHistory> _histories = new(StringComparer.Ordinal);

    public void Run()
    {
        var now = time.GetUtcNow();
        var hpas = operations.Store.List(BuiltInResources.HorizontalPodAutoscalers.Storage, null).Items;
        foreach (var uid in _histories.Keys.Except(hpas.Select(h => JsonPaths.GetString(h, "metadata.uid") ?? "")).ToList())
        {
            _histories.Remove(uid);
        }

        IReadOnlyDictionary<(string, string), IReadOnlyList<ContainerUsage>>? usage = null;
        foreach (var hpa in hpas)
        {
            var ns = JsonPaths.GetString(hpa, "metadata.namespace")!;
            var targetKind = JsonPaths.GetString(hpa, "spec.scaleTargetRef.kind");
            var targetName = JsonPaths.GetString(hpa, "spec.scaleTargetRef.name") ?? "";
            var type = s_workloads.FirstOrDefault(t => t.Kind == targetKind);
            if (type is null || operations.Find(type, ns, targetName) is not { } target)
            {
                continue;
            }

            var current = JsonPaths.GetInt(target, "spec.replicas") ?? 1;
            var min = JsonPaths.GetInt(hpa, "spec.minReplicas") ?? 1;
            var max = JsonPaths.GetInt(hpa, "spec.maxReplicas") ?? current;
            int? hooked = current > 0
                ? options.HpaRecommendation(new HpaRecommendationContext(ns, JsonPaths.GetString(hpa, "metadata.name")!, targetKind!, targetName,
                    current, JsonPaths.GetInt(target, "status.readyReplicas") ?? 0, min, max))
                : null;
            if (hooked is not null || (hpa["spec"]?["metrics"] as JsonArray ?? []).Count == 0)
            {
                Clamp(hpa, type, target, current, current > 0 ? Math.Clamp(hooked ?? current, min, Math.Max(min, max)) : current);
            }
            else if (Due(hpa, now) is { } history)
            {
                usage ??= metrics.ReadPodUsage();
                Sync(hpa, type, target, history, usage, now);
            }
        }
    }

    // Every 15 s per HPA, and at once for a new HPA or a changed spec (upstream waits for the HPA's next turn).
    private HpaHistory? Due(JsonObject hpa, DateTimeOffset now)
    {
        var uid = JsonPaths.GetString(hpa, "metadata.uid") ?? "";
        var generation = (long)(JsonPaths.GetInt(hpa, "metadata.generation") ?? 1);
        if (!_histories.TryGetValue(uid, out var history))
        {
            _histories[uid] = history = new HpaHistory();
        }

        if (history.LastSync is { } last && now - last < SyncPeriod && history.Generation == generation)
        {
            return null;
        }

        history.LastSync = now;
        history.Generation = generation;
        return history;
    }

    // The sandbox's own answer: the hook's count, or the current one, within the bounds.
    private void Clamp(JsonObject hpa, ResourceType type, JsonObject target, int current, int desired)
    {
        var scaled = desired != current && Scale(hpa, type, target, desired);
        WriteStatus(hpa, status =>
        {
            status["currentReplicas"] = JsonPaths.GetInt(target, "status.replicas") ?? 0;
            status["desiredReplicas"] = desired;
            if (scaled)
            {
                status["lastScaleTime"] = Timestamps.Format(time.GetUtcNow());
            }
        });
    }

    // reconcileAutoscaler.
    private void Sync(JsonObject hpa, ResourceType type, JsonObject target, HpaHistory history,
        IReadOnlyDictionary<(string, string), IReadOnlyList<ContainerUsage>> usage, DateTimeOffset now)
    {
        var current = JsonPaths.GetInt(target, "spec.replicas") ?? 1;
        var min = JsonPaths.GetInt(hpa, "spec.minReplicas") ?? 1;
        var max = JsonPaths.GetInt(hpa, "spec.maxReplicas") ?? current;
        if (history.Recommendations.Count == 0)
        {
            history.Recommendations.Add((current, now)); // recordInitialRecommendation: no scale-down for one window after start
        }

        var conditions = new List<HpaCondition> { new("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale") };
        var specs = (hpa["spec"]!["metrics"] as JsonArray)!.OfType<JsonObject>().ToList();
        JsonArray? currentMetrics = null;
        var desired = current;
        var reason = "";
        if (current == 0 && min != 0)
        {
            desired = 0;
            conditions.Add(new("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero"));
        }
        else if (current > max)
        {
            desired = max;
            reason = "Current number of replicas above Spec.MaxReplicas";
        }
        else if (current < min)
        {
            desired = min;
            reason = "Current number of replicas below Spec.MinReplicas";
        }
        else
        {
            var pods = Pods(target);
            var results = specs.Select(s => HpaReplicaCalculator.Compute(s, current, pods, usage, now)).ToList();
            currentMetrics = new JsonArray([.. results.Select(r => (JsonNode)(r.Status ?? new JsonObject { ["type"] = "" }))]);
            var valid = results.Where(r => r.Error is null).ToList();
            var proposal = valid.Count == 0 ? 0 : valid.Max(r => r.Replicas);
            var invalid = results.FirstOrDefault(r => r.Error is not null);
            if (invalid is not null)
            {
                Warn(hpa, history, invalid.Reason!, invalid.Error!);
            }
            else
            {
                history.LastWarning = null; // the next failure is news again
            }

            if (invalid is not null && (valid.Count == 0 || proposal < current))
            {
                // computeReplicasForMetrics: all metrics invalid, or some invalid on a scale-down: no scaling this sync.
                conditions.Add(new("ScalingActive", "False", invalid.Reason!,
                    $"the HPA was unable to compute the replica count: {invalid.Error}"));
                WriteStatus(hpa, status =>
                {
                    status["currentReplicas"] = current;
                    status["currentMetrics"] = currentMetrics;
                    SetConditions(status, conditions, now);
                });
                return;
            }

            var chosen = valid.First(r => r.Replicas == proposal);
            conditions.Add(new("ScalingActive", "True", "ValidMetricFound", $"the HPA was able to successfully calculate a replica count from {chosen.MetricName}"));
            reason = proposal > current ? $"{chosen.MetricName} above target" : proposal < current ? "All metrics below target" : "";
            var outcome = HpaBehavior.Normalize(hpa["spec"]?["behavior"] as JsonObject, history, current, proposal, min, max, now);
            desired = outcome.Replicas;
            conditions.Add(outcome.AbleToScale);
            conditions.Add(outcome.ScalingLimited);
        }

        var rescaled = false;
        if (desired != current)
        {
            rescaled = Scale(hpa, type, target, desired);
            if (rescaled)
            {
                conditions.Add(new("AbleToScale", "True", "SucceededRescale", $"the HPA controller was able to update the target scale to {desired}"));
                Record(hpa, "Normal", "SuccessfulRescale", $"New size: {desired}; reason: {reason}");
                HpaBehavior.RecordScale(history, current, desired, now);
            }
        }

        WriteStatus(hpa, status =>
        {
            status["currentReplicas"] = current;
            status["desiredReplicas"] = desired;
            if (currentMetrics is null)
            {
                status.Remove("currentMetrics"); // sized by the bounds alone: no metric was read
            }
            else
            {
                status["currentMetrics"] = currentMetrics;
            }

            if (rescaled)
            {
                status["lastScaleTime"] = Timestamps.Format(now);
            }

            SetConditions(status, conditions, now);
        });
    }

    // The pods the target's selector picks in its namespace (scale.status.selector).
    private List<JsonObject> Pods(JsonObject target)
    {
        var ns = JsonPaths.GetString(target, "metadata.namespace");
        var selector = target["spec"]?["selector"] as JsonObject;
        if (selector is null)
        {
            return [];
        }

        var labels = LabelSelector.FromObject(selector);
        return [.. operations.List(BuiltInResources.Pods, ns, labels, FieldSelector.Everything)["items"]!.AsArray().OfType<JsonObject>()];
    }

    private bool Scale(JsonObject hpa, ResourceType type, JsonObject target, int desired)
    {
        try
        {
            operations.UpdateScale(type, JsonPaths.GetString(target, "metadata.namespace")!, JsonPaths.GetString(target, "metadata.name")!, scale =>
            {
                scale.Obj("spec")["replicas"] = desired;
                ((JsonObject)scale["metadata"]!).Remove("resourceVersion");
                return scale;
            }, owner: FieldOwner.ControllerManager);
            return true;
        }
        catch (ApiException)
        {
            return false; // deleted meanwhile; the next pass sees it
        }
    }

    // setCondition: a condition keeps its lastTransitionTime while its status stays; later entries of a type win.
    private static void SetConditions(JsonObject status, List<HpaCondition> conditions, DateTimeOffset now)
    {
        var existing = (status["conditions"] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()).ToList() ?? [];
        foreach (var condition in conditions)
        {
            var entry = existing.FirstOrDefault(c => (string?)c["type"] == condition.Type);
            if (entry is null)
            {
                entry = new JsonObject { ["type"] = condition.Type };
                existing.Add(entry);
            }

            if ((string?)entry["status"] != condition.Status || entry["lastTransitionTime"] is null)
            {
                entry["lastTransitionTime"] = Timestamps.Format(now);
            }

            entry["status"] = condition.Status;
            entry["reason"] = condition.Reason;
            entry["message"] = condition.Message;
        }

        status["conditions"] = new JsonArray([.. existing]);
    }

    private void WriteStatus(JsonObject hpa, Action<JsonObject> change) =>
        operations.WriteStatus(BuiltInResources.HorizontalPodAutoscalers, JsonPaths.GetString(hpa, "metadata.namespace")!,
            JsonPaths.GetString(hpa, "metadata.name")!, JsonPaths.GetString(hpa, "metadata.uid")!, change);

    // A metric that fails is one Warning until its message changes (upstream's recorder counts the repeats instead).
    private void Warn(JsonObject hpa, HpaHistory history, string reason, string message)
    {
        if (history.LastWarning != message)
        {
            history.LastWarning = message;
            Record(hpa, "Warning", reason, message);
        }
    }

    private void Record(JsonObject hpa, string type, string reason, string message) =>
        ClusterEvents.Record(operations, ("autoscaling/v2", "HorizontalPodAutoscaler", JsonPaths.GetString(hpa, "metadata.namespace")!,
            JsonPaths.GetString(hpa, "metadata.name")!, JsonPaths.GetString(hpa, "metadata.uid")!), type, reason, "",
            message, Component, Timestamps.Format(time.GetUtcNow()));
}
