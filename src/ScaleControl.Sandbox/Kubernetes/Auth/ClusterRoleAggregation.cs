using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Selectors;

namespace ScaleControl.Sandbox.Kubernetes.Auth;

/// <summary>
/// The clusterrole-aggregation controller: a ClusterRole with an <c>aggregationRule</c> gets as its rules the rules of
/// every other ClusterRole its selectors match (so a CRD's role labelled <c>aggregate-to-view</c> joins <c>view</c>,
/// <c>edit</c> and <c>admin</c>). Run after every ClusterRole write or delete, until nothing changes; writes only on change.
/// </summary>
internal static class ClusterRoleAggregation
{
    private const int MaxPasses = 8; // aggregation chains (view → edit → admin) settle in as many passes as they are long

    [ThreadStatic]
    private static bool t_running;

    public static void Run(ResourceOperations operations)
    {
        if (t_running)
        {
            return; // our own writes: the outer pass goes on until nothing changes
        }

        t_running = true;
        try
        {
            for (var pass = 0; pass < MaxPasses && Pass(operations); pass++)
            {
            }
        }
        finally
        {
            t_running = false;
        }
    }

    private static bool Pass(ResourceOperations operations)
    {
        var roles = operations.Store.List(RbacResources.ClusterRoles.Storage, null).Items;
        var changed = false;
        foreach (var role in roles)
        {
            if (role["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors)
            {
                continue;
            }

            var parsed = selectors.OfType<JsonObject>().Select(LabelSelector.FromObject).ToList();
            var name = (string?)role["metadata"]?["name"];
            var rules = new JsonArray();
            foreach (var source in roles.Where(r => (string?)r["metadata"]?["name"] != name && parsed.Any(s => s.Matches(r))).OrderBy(r => (string?)r["metadata"]?["name"], StringComparer.Ordinal))
            {
                foreach (var rule in (source["rules"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    if (!rules.Any(r => JsonNode.DeepEquals(r, rule)))
                    {
                        rules.Add(rule.DeepClone());
                    }
                }
            }

            if (JsonNode.DeepEquals(role["rules"] ?? new JsonArray(), rules))
            {
                continue;
            }

            changed = true;
            operations.Rewrite(RbacResources.ClusterRoles, "", name!, (string)role["metadata"]!["uid"]!, current => current["rules"] = rules.DeepClone());
        }

        return changed;
    }
}
