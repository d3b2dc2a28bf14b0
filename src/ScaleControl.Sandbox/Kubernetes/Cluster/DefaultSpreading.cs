using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The scheduler's PodTopologySpread scoring with its system default constraints, as kube-scheduler 1.32 runs it for
/// a pod without <c>topologySpreadConstraints</c> (<c>pkg/scheduler/framework/plugins/podtopologyspread/scoring.go</c>):
/// <c>kubernetes.io/hostname</c> maxSkew 3 and <c>topology.kubernetes.io/zone</c> maxSkew 5, ScheduleAnyway, over the
/// pods of the pod's namespace that match its default selector (helper.DefaultSelector: the selectors of the Services
/// that select it, and of its controlling ReplicaSet or StatefulSet). A node scores <c>count × log(size + 2) +
/// (maxSkew − 1)</c> per constraint whose key it has (size: the feasible nodes, or the zones among them), rounded; then
/// NormalizeScore turns fewer matching pods into more points, 0–100. A pod with its own constraints, or no selector,
/// is not scored by it (the sandbox ignores explicit constraints).
/// </summary>
internal sealed class DefaultSpreading
{
    private const string Hostname = "kubernetes.io/hostname";
    private static readonly (string Key, int MaxSkew)[] s_constraints = [(Hostname, 3), ("topology.kubernetes.io/zone", 5)];

    private readonly List<(string Namespace, JsonObject Selector)> _services;
    private readonly Dictionary<string, JsonObject> _controllerSelectors;

    private DefaultSpreading(List<(string, JsonObject)> services, Dictionary<string, JsonObject> controllerSelectors)
    {
        _services = services;
        _controllerSelectors = controllerSelectors;
    }

    /// <summary>Reads the Services' selectors and the ReplicaSets' and StatefulSets' once per scheduling pass.</summary>
    public static DefaultSpreading Read(ResourceOperations operations)
    {
        var services = operations.Store.Project(BuiltInResources.Services.Storage, s =>
            (JsonPaths.GetString(s, "metadata.namespace") ?? "", s["spec"]?["selector"]?.DeepClone() as JsonObject ?? []));
        var controllers = operations.Store.Project(BuiltInResources.ReplicaSets.Storage, Selector)
            .Concat(operations.Store.Project(BuiltInResources.StatefulSets.Storage, Selector))
            .Where(c => c.Selector is not null)
            .ToDictionary(c => c.Uid, c => c.Selector!, StringComparer.Ordinal);
        return new DefaultSpreading([.. services.Where(s => s.Item2.Count > 0)], controllers);

        static (string Uid, JsonObject? Selector) Selector(JsonObject o) =>
            (JsonPaths.GetString(o, "metadata.uid") ?? "", o["spec"]?["selector"]?.DeepClone() as JsonObject);
    }

    /// <summary>
    /// Each feasible node's normalized score (0–100), or null when the plugin skips the pod (its own constraints, or
    /// an empty default selector). <paramref name="nodePods"/> are the pods on each node now.
    /// </summary>
    public Dictionary<string, long>? Scores(
        PodState pod, IReadOnlyList<NodeState> feasible, IReadOnlyList<NodeState> all, Func<string, IEnumerable<PodState>> nodePods)
    {
        if (pod.OwnSpreadConstraints || DefaultSelector(pod) is not { Count: > 0 } selectors)
        {
            return null;
        }

        bool Matches(PodState p) => p.Namespace == pod.Namespace && !p.Terminating && !p.HasFinished && selectors.TrueForAll(s => s.MatchesLabels(p.Labels));

        // The zones of the feasible nodes, counted over every node that has both keys (processAllNode).
        var zones = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var node in feasible.Where(n => n.Labels.ContainsKey(s_constraints[1].Key)))
        {
            zones.TryAdd(node.Labels[s_constraints[1].Key], 0);
        }

        foreach (var node in all.Where(n => s_constraints.All(c => n.Labels.ContainsKey(c.Key))))
        {
            if (zones.ContainsKey(node.Labels[s_constraints[1].Key]))
            {
                zones[node.Labels[s_constraints[1].Key]] += nodePods(node.Name).Count(Matches);
            }
        }

        var hostWeight = Math.Log(feasible.Count + 2);
        var zoneWeight = Math.Log(zones.Count + 2);
        var raw = feasible.ToDictionary(n => n.Name, n =>
        {
            double score = 0;
            if (n.Labels.ContainsKey(Hostname))
            {
                score += nodePods(n.Name).Count(Matches) * hostWeight + (s_constraints[0].MaxSkew - 1);
            }

            if (n.Labels.TryGetValue(s_constraints[1].Key, out var zone))
            {
                score += zones[zone] * zoneWeight + (s_constraints[1].MaxSkew - 1);
            }

            return (long)Math.Round(score, MidpointRounding.AwayFromZero);
        }, StringComparer.Ordinal);

        // NormalizeScore: the node with the fewest matching pods gets the most.
        var max = raw.Values.DefaultIfEmpty(0).Max();
        var min = raw.Values.DefaultIfEmpty(0).Min();
        return raw.ToDictionary(r => r.Key, r => max == 0 ? 100 : 100 * (max + min - r.Value) / max, StringComparer.Ordinal);
    }

    // helper.DefaultSelector: the Services' selectors merged, and the controlling ReplicaSet's or StatefulSet's.
    private List<LabelSelector> DefaultSelector(PodState pod)
    {
        var merged = new JsonObject();
        foreach (var (_, selector) in _services.Where(s => s.Namespace == pod.Namespace && LabelSelector.FromObject(new JsonObject { ["matchLabels"] = s.Selector.DeepClone() }).MatchesLabels(pod.Labels)))
        {
            foreach (var (key, value) in selector)
            {
                merged[key] = value?.DeepClone();
            }
        }

        var selectors = new List<LabelSelector>();
        if (merged.Count > 0)
        {
            selectors.Add(LabelSelector.FromObject(new JsonObject { ["matchLabels"] = merged }));
        }

        if (pod.OwnerUid is { } owner && _controllerSelectors.TryGetValue(owner, out var controller) && LabelSelector.FromObject(controller) is { IsEverything: false } ownerSelector)
        {
            selectors.Add(ownerSelector);
        }

        return selectors;
    }
}
