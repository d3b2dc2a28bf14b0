using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The scheduler's TaintToleration filter (<c>pkg/scheduler/framework/plugins/tainttoleration</c>): a node whose
/// NoSchedule or NoExecute taint no toleration of the pod matches is filtered out, unresolvably (preemption cannot
/// help), with the first such taint in the reason. Matching as core/v1 ToleratesTaint: an empty effect or key matches
/// any, operator Exists any value, Equal (the default) the same value. PreferNoSchedule only scores, so it is ignored.
/// </summary>
internal static class TaintToleration
{
    public static string? Untolerated(NodeState node, PodState pod) =>
        node.Taints.Where(t => (string?)t["effect"] is "NoSchedule" or "NoExecute")
            .Where(t => !pod.Tolerations.Any(toleration => Tolerates(toleration, t)))
            .Select(t => $"node(s) had untolerated taint {{{(string?)t["key"]}: {(string?)t["value"]}}}")
            .FirstOrDefault();

    public static bool Tolerates(JsonObject toleration, JsonObject taint)
    {
        var effect = (string?)toleration["effect"] ?? "";
        var key = (string?)toleration["key"] ?? "";
        if ((effect.Length > 0 && effect != (string?)taint["effect"]) || (key.Length > 0 && key != (string?)taint["key"]))
        {
            return false;
        }

        return ((string?)toleration["operator"] ?? "") switch
        {
            "" or "Equal" => ((string?)toleration["value"] ?? "") == ((string?)taint["value"] ?? ""),
            "Exists" => true,
            _ => false,
        };
    }
}
