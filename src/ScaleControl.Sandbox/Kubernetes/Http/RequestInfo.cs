using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>What a resource request addresses, parsed from the path like the apiserver's RequestInfoFactory.</summary>
internal sealed record RequestInfo(ResourceType Type, string? Namespace, string? Name, Subresource Subresource, string SubresourceName)
{
    /// <summary>
    /// Parses the part after <c>/api/v1</c> or <c>/apis/{group}/{version}</c>:
    /// <c>[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]</c>. Null when no served resource matches.
    /// </summary>
    public static RequestInfo? Parse(ResourceCatalog catalog, string group, string version, string[] rest)
    {
        string? ns = null;
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length is 0 or > 3)
        {
            return null;
        }

        var type = catalog.Find(group, version, rest[0]);
        if (type is null || (ns is not null && !type.Namespaced))
        {
            return ParseNamespaceSubresource(catalog, group, version, ns, rest);
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var subresourceName = rest.Length > 2 ? rest[2] : "";
        var subresource = subresourceName switch
        {
            "" => Subresource.None,
            "status" when type.HasStatusSubresource => Subresource.Status,
            "scale" when type.HasScaleSubresource => Subresource.Scale,
            "token" when type == BuiltInResources.ServiceAccounts => Subresource.Token,
            "eviction" when type == BuiltInResources.Pods => Subresource.Eviction,
            "log" when type == BuiltInResources.Pods => Subresource.Log,
            "exec" or "attach" or "portforward" or "proxy" or "ephemeralcontainers" when type == BuiltInResources.Pods => Subresource.Unserved,
            "proxy" when type == BuiltInResources.Nodes || type.Plural == "services" => Subresource.Unserved,
            _ => (Subresource?)null,
        };
        return subresource is null ? null : new RequestInfo(type, ns, name, subresource.Value, subresourceName);
    }

    // "/api/v1/namespaces/{name}/status" looks like a namespaced collection called "status".
    private static RequestInfo? ParseNamespaceSubresource(ResourceCatalog catalog, string group, string version, string? ns, string[] rest) =>
        group.Length == 0 && ns is not null && rest is ["status"] && catalog.Find("", version, "namespaces") is { } namespaces
            ? new RequestInfo(namespaces, null, ns, Subresource.Status, "status")
            : null;

    /// <summary>The RBAC resource name, e.g. <c>deployments/scale</c>.</summary>
    public string Resource => SubresourceName.Length == 0 ? Type.Plural : $"{Type.Plural}/{SubresourceName}";
}
