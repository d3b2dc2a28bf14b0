using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// kube-controller-manager's disruption controller (<c>pkg/controller/disruption/disruption.go</c>): each
/// PodDisruptionBudget's status counts the pods its selector picks. <c>expectedPods</c> is the pod count for an integer
/// minAvailable, else the scale of the pods' controllers (a ReplicaSet's Deployment, a StatefulSet; pods without a
/// controller are left out); <c>desiredHealthy</c> is minAvailable, or expectedPods less maxUnavailable (a percentage
/// rounded up); <c>currentHealthy</c> the Ready pods neither being deleted nor just evicted (<c>disruptedPods</c>, kept
/// two minutes, <c>DeletionTimeout</c>); <c>disruptionsAllowed</c> the difference, never below 0. Written only on
/// change. The eviction subresource spends the budget under <see cref="Gate"/>, so the two never interleave.
/// </summary>
internal sealed class DisruptionController(ResourceOperations operations, TimeProvider time)
{
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Held by a pass and by each eviction: the apiserver's resourceVersion check on the budget's status, in one process.</summary>
    public Lock Gate { get; } = new();

    public void Run()
    {
        lock (Gate)
        {
            var budgets = operations.Store.Project(PolicyResources.PodDisruptionBudgets.Storage, p => (JsonObject)p.DeepClone());
            if (budgets.Count == 0)
            {
                return;
            }

            var pods = operations.Store.Project(BuiltInResources.Pods.Storage, p => (JsonObject)p.DeepClone());
            foreach (var budget in budgets)
            {
                Sync(budget, Selected(budget, pods));
            }
        }
    }

    /// <summary>The pods a budget covers: its namespace's pods its selector matches (none for a null selector, all for <c>{}</c>).</summary>
    public static List<JsonObject> Selected(JsonObject budget, IEnumerable<JsonObject> pods)
    {
        var ns = JsonPaths.GetString(budget, "metadata.namespace");
        if (budget["spec"]?["selector"] is not JsonObject selector)
        {
            return [];
        }

        var labels = LabelSelector.FromObject(selector);
        return [.. pods.Where(p => JsonPaths.GetString(p, "metadata.namespace") == ns && labels.Matches(p))];
    }

    /// <summary>pdbhelper.UpdateDisruptionAllowedCondition, with meta.SetStatusCondition's transition time.</summary>
    public static void SetAllowedCondition(JsonObject status, DateTimeOffset now)
    {
        var allowed = (JsonPaths.GetInt(status, "disruptionsAllowed") ?? 0) > 0;
        var condition = StatusConditions.FindOrAdd(status, "DisruptionAllowed");
        var value = allowed ? "True" : "False";

        if ((string?)condition["status"] != value)
        {
            condition["status"] = value;
            condition["lastTransitionTime"] = Timestamps.Format(now);
        }

        condition["observedGeneration"] = status["observedGeneration"]?.DeepClone() ?? 0;
        condition["reason"] = allowed ? "SufficientPods" : "InsufficientPods";
        condition["message"] ??= "";
    }

    private void Sync(JsonObject budget, List<JsonObject> pods)
    {
        var now = time.GetUtcNow();
        var disrupted = DisruptedPods(budget, pods, now);
        var (expected, desired) = ExpectedAndDesired(budget, pods);
        var healthy = pods.Count(p => p["metadata"]?["deletionTimestamp"] is null
            && !disrupted.ContainsKey(JsonPaths.GetString(p, "metadata.name")!)
            && BuiltInResources.IsReady(p));
        var allowed = expected <= 0 || healthy - desired <= 0 ? 0 : healthy - desired;
        var generation = JsonPaths.GetInt(budget, "metadata.generation") ?? 0;
        var status = budget["status"] as JsonObject;
        if (JsonPaths.GetInt(status, "currentHealthy") == healthy && JsonPaths.GetInt(status, "desiredHealthy") == desired
            && JsonPaths.GetInt(status, "expectedPods") == expected && JsonPaths.GetInt(status, "disruptionsAllowed") == allowed
            && (JsonPaths.GetInt(status, "observedGeneration") ?? 0) == generation
            && JsonNode.DeepEquals(status?["disruptedPods"] ?? new JsonObject(), disrupted)
            && status?["conditions"] is JsonArray { Count: > 0 })
        {
            return;
        }

        operations.WriteStatus(PolicyResources.PodDisruptionBudgets, JsonPaths.GetString(budget, "metadata.namespace")!,
            JsonPaths.GetString(budget, "metadata.name")!, JsonPaths.GetString(budget, "metadata.uid")!, s =>
            {
                s["currentHealthy"] = healthy;
                s["desiredHealthy"] = desired;
                s["expectedPods"] = expected;
                s["disruptionsAllowed"] = allowed;
                s["observedGeneration"] = generation;
                s.Remove("disruptedPods");
                if (disrupted.Count > 0)
                {
                    s["disruptedPods"] = disrupted;
                }

                SetAllowedCondition(s, now);
            });
    }

    // buildDisruptedPodMap: an evicted pod stays counted out until it is being deleted, or for DeletionTimeout.
    private static JsonObject DisruptedPods(JsonObject budget, List<JsonObject> pods, DateTimeOffset now)
    {
        var result = new JsonObject();
        if (budget["status"]?["disruptedPods"] is not JsonObject before)
        {
            return result;
        }

        foreach (var pod in pods.Where(p => p["metadata"]?["deletionTimestamp"] is null))
        {
            var name = JsonPaths.GetString(pod, "metadata.name")!;
            if (Timestamps.Parse((string?)before[name]) is { } at && at + DeletionTimeout >= now)
            {
                result[name] = before[name]!.DeepClone();
            }
        }

        return result;
    }

    // getExpectedPodCount.
    private (int Expected, int Desired) ExpectedAndDesired(JsonObject budget, List<JsonObject> pods)
    {
        var spec = budget["spec"];
        if (spec?["maxUnavailable"] is { } maxUnavailable)
        {
            var scale = ControllersScale(pods);
            return (scale, Math.Max(0, scale - DeploymentStrategy.Scaled(maxUnavailable, scale, roundUp: true)));
        }

        if (spec?["minAvailable"] is JsonValue minAvailable && minAvailable.TryGetValue<int>(out var count))
        {
            return (pods.Count, count);
        }

        if (spec?["minAvailable"] is { } percent)
        {
            var scale = ControllersScale(pods);
            return (scale, DeploymentStrategy.Scaled(percent, scale, roundUp: true));
        }

        return (0, 0);
    }

    // getExpectedScale: each controller's spec.replicas once, a Deployment's for the pods of all its ReplicaSets.
    private int ControllersScale(List<JsonObject> pods)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            var ns = JsonPaths.GetString(pod, "metadata.namespace")!;
            if (OwnerReferences.Controller(pod) is not { } reference)
            {
                continue; // an unmanaged pod: upstream warns (UnmanagedPods) and leaves it out
            }

            var controller = (string?)reference["kind"] switch
            {
                "ReplicaSet" => operations.Store.Get(BuiltInResources.ReplicaSets.Storage, ns, (string?)reference["name"] ?? "") is { } rs
                    ? OwnerReferences.Controller(rs) is { } owner && (string?)owner["kind"] == "Deployment"
                        ? operations.Store.Get(BuiltInResources.Deployments.Storage, ns, (string?)owner["name"] ?? "")
                        : rs
                    : null,
                "StatefulSet" => operations.Store.Get(BuiltInResources.StatefulSets.Storage, ns, (string?)reference["name"] ?? ""),
                _ => null,
            };
            if (controller is not null)
            {
                scales[JsonPaths.GetString(controller, "metadata.uid")!] = JsonPaths.GetInt(controller, "spec.replicas") ?? 1;
            }
        }

        return scales.Values.Sum();
    }
}
