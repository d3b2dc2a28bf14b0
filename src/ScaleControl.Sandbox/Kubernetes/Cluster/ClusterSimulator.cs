using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The tiny cluster behind the API: an HPA controller that keeps targets within their bounds, and pods that become
/// ready after <see cref="SandboxKubernetesOptions.PodStartupDelay"/>, reflected in the workloads' status.
/// Writes only on change, so an idle cluster does not move resourceVersions.
/// </summary>
internal sealed class ClusterSimulator(ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time)
{
    private static readonly ResourceType[] s_workloads = [BuiltInResources.Deployments, BuiltInResources.StatefulSets];

    private readonly Lock _lock = new();

    // Start times of the simulated pods per workload uid, newest last.
    private readonly Dictionary<string, List<DateTimeOffset>> _pods = [];

    public void Reconcile()
    {
        lock (_lock)
        {
            RunHpas();
            RunWorkloads();
        }
    }

    private void RunHpas()
    {
        var hpas = operations.Store.List(BuiltInResources.HorizontalPodAutoscalers.Storage, null).Items;
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
            var desired = current;
            if (current > 0)
            {
                // As the real controller: replicas 0 disables the HPA; otherwise it recommends, then clamps to the bounds.
                var context = new HpaRecommendationContext(ns, JsonPaths.GetString(hpa, "metadata.name")!, targetKind!, targetName,
                    current, JsonPaths.GetInt(target, "status.readyReplicas") ?? 0, min, max);
                desired = Math.Clamp(options.HpaRecommendation(context) ?? current, min, Math.Max(min, max));
            }

            var scaled = desired != current;
            if (scaled)
            {
                try
                {
                    operations.UpdateScale(type, ns, targetName, scale =>
                    {
                        scale.Obj("spec")["replicas"] = desired;
                        ((JsonObject)scale["metadata"]!).Remove("resourceVersion");
                        return scale;
                    });
                }
                catch (ApiException)
                {
                    continue; // deleted meanwhile; the next pass sees it
                }
            }

            operations.WriteStatus(BuiltInResources.HorizontalPodAutoscalers, ns, JsonPaths.GetString(hpa, "metadata.name")!,
                JsonPaths.GetString(hpa, "metadata.uid")!, status =>
                {
                    status["currentReplicas"] = JsonPaths.GetInt(target, "status.replicas") ?? 0;
                    status["desiredReplicas"] = desired;
                    if (scaled)
                    {
                        status["lastScaleTime"] = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    }
                });
        }
    }

    private void RunWorkloads()
    {
        var now = time.GetUtcNow();
        var seen = new HashSet<string>();
        foreach (var type in s_workloads)
        {
            foreach (var workload in operations.Store.Project(type.Storage, WorkloadState.Of))
            {
                seen.Add(workload.Uid);
                var desired = Math.Max(0, workload.Replicas);
                var pods = PodsOf(workload, desired, now);
                while (pods.Count < desired)
                {
                    pods.Add(now);
                }

                if (pods.Count > desired)
                {
                    pods.RemoveRange(desired, pods.Count - desired); // scale-down removes the youngest (least ready) first
                }

                var ready = pods.Count(started => now - started >= options.PodStartupDelay);
                var status = new Dictionary<string, int?>
                {
                    ["observedGeneration"] = workload.Generation,
                    ["replicas"] = pods.Count,
                    ["updatedReplicas"] = pods.Count,
                    ["readyReplicas"] = ready,
                    ["availableReplicas"] = ready,
                };
                if (type == BuiltInResources.StatefulSets)
                {
                    status["currentReplicas"] = pods.Count;
                }
                else
                {
                    status["unavailableReplicas"] = pods.Count > ready ? pods.Count - ready : null;
                }

                if (status.Any(kv => workload.Status.GetValueOrDefault(kv.Key) != kv.Value))
                {
                    operations.WriteStatus(type, workload.Namespace, workload.Name, workload.Uid, current =>
                    {
                        foreach (var (field, value) in status)
                        {
                            current[field] = value;
                            if (value is null)
                            {
                                current.Remove(field);
                            }
                        }
                    });
                }
            }
        }

        foreach (var gone in _pods.Keys.Where(uid => !seen.Contains(uid)).ToList())
        {
            _pods.Remove(gone);
        }
    }

    // A workload seen for the first time keeps the ready pods its (seeded) status claims.
    private List<DateTimeOffset> PodsOf(WorkloadState workload, int desired, DateTimeOffset now)
    {
        if (!_pods.TryGetValue(workload.Uid, out var pods))
        {
            var alreadyReady = Math.Min(desired, workload.Status.GetValueOrDefault("readyReplicas") ?? 0);
            pods = Enumerable.Repeat(now - options.PodStartupDelay, alreadyReady).ToList();
            _pods[workload.Uid] = pods;
        }

        return pods;
    }

    /// <summary>What the pod controller needs of a workload, read without copying the stored object.</summary>
    private sealed record WorkloadState(string Namespace, string Name, string Uid, int Generation, int Replicas, Dictionary<string, int?> Status)
    {
        private static readonly string[] s_statusFields =
            ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "currentReplicas", "unavailableReplicas"];

        public static WorkloadState Of(JsonObject o) => new(
            JsonPaths.GetString(o, "metadata.namespace")!,
            JsonPaths.GetString(o, "metadata.name")!,
            JsonPaths.GetString(o, "metadata.uid")!,
            JsonPaths.GetInt(o, "metadata.generation") ?? 1,
            JsonPaths.GetInt(o, "spec.replicas") ?? 1,
            s_statusFields.ToDictionary(f => f, f => JsonPaths.GetInt(o["status"], f)));
    }
}
