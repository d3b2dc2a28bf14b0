using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// Legacy (non-aggregated) discovery documents. kubectl asks for aggregated discovery first but accepts these
/// when the response is plain application/json.
/// </summary>
internal static class Discovery
{
    public static JsonObject Version(SandboxKubernetesOptions options)
    {
        var parts = options.GitVersion.TrimStart('v').Split('.');
        return new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = options.GitVersion,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(catalog.Groups().Select(g => (JsonNode)Group(g.Group, g.Versions)).ToArray()),
    };

    public static JsonObject? Group(ResourceCatalog catalog, string group) =>
        catalog.Groups().Where(g => g.Group == group).Select(g => Group(g.Group, g.Versions)).FirstOrDefault();

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            resources.Add(new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = Strings(t.Verbs),
                ["shortNames"] = Strings(t.ShortNames),
                ["categories"] = Strings(t.Categories),
            });
            if (t.HasStatusSubresource)
            {
                resources.Add(Subresource(t, "status", t.Group, t.Version, t.Kind));
            }

            if (t.HasScaleSubresource)
            {
                resources.Add(Subresource(t, "scale", "autoscaling", "v1", "Scale"));
            }

            if (t == BuiltInResources.Pods)
            {
                // kubectl drain evicts (policy/v1) only when discovery lists pods/eviction; otherwise it deletes.
                var eviction = Subresource(t, "eviction", "policy", "v1", "Eviction");
                eviction["verbs"] = new JsonArray("create");
                resources.Add(eviction);
                var log = Subresource(t, "log", t.Group, t.Version, t.Kind); // kubectl logs (Http/PodLogStreamer)
                log["verbs"] = new JsonArray("get");
                resources.Add(log);
            }

            if (t == BuiltInResources.ServiceAccounts)
            {
                var token = Subresource(t, "token", "authentication.k8s.io", "v1", "TokenRequest");
                token["verbs"] = new JsonArray("create");
                resources.Add(token);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = types[0].GroupVersion,
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceType t, string name, string group, string version, string kind) => new()
    {
        ["name"] = $"{t.Plural}/{name}",
        ["singularName"] = "",
        ["namespaced"] = t.Namespaced,
        ["group"] = group,
        ["version"] = version,
        ["kind"] = kind,
        ["verbs"] = new JsonArray("get", "patch", "update"),
    };

    private static JsonObject Group(string name, IReadOnlyList<string> versions)
    {
        var list = versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToArray();
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray(list),
            ["preferredVersion"] = list[0].DeepClone(),
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
