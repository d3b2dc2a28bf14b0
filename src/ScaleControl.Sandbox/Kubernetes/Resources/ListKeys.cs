using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// How a list of objects merges: the fields that identify an item (<c>x-kubernetes-list-map-keys</c>, which
/// server-side apply and managedFields use, e.g. a container port by containerPort and protocol) and the one a
/// strategic merge patch matches items by (<c>patchMergeKey</c>, containerPort alone). A key field the item leaves
/// out takes its schema default (a port's protocol is TCP).
/// </summary>
internal sealed record ListKey(IReadOnlyList<string> Fields, string MergeKey, IReadOnlyDictionary<string, string>? Defaults = null)
{
    /// <summary>The item's key as FieldsV1 writes it (<c>{"containerPort":8080,"protocol":"TCP"}</c>, fields sorted), or null when a key field is missing.</summary>
    public JsonObject? KeyOf(JsonObject item)
    {
        var key = new JsonObject();
        foreach (var field in Fields.Order(StringComparer.Ordinal))
        {
            var value = item[field] is JsonValue v && v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                ? v.DeepClone()
                : Defaults?.GetValueOrDefault(field) is { } fallback ? JsonValue.Create(fallback) : null;
            if (value is null)
            {
                return null;
            }

            key[field] = value;
        }

        return key;
    }

    /// <summary>Whether <paramref name="item"/> has the key <paramref name="key"/>.</summary>
    public bool Matches(JsonObject item, JsonObject key) => KeyOf(item) is { } own && JsonNode.DeepEquals(own, key);

    /// <summary>The first key field an item leaves out (with no default), for the apiserver's error.</summary>
    public string MissingField(JsonObject item) =>
        Fields.First(f => item[f] is not JsonValue && Defaults?.ContainsKey(f) != true);
}

/// <summary>
/// The list types of a kind's fields, by the path of field names leading to the list (list items add nothing:
/// <c>spec.template.spec.containers.ports</c>): associative lists (<c>listType=map</c>) merge and are owned item by
/// item by their key, sets (<c>listType=set</c>, e.g. <c>metadata.finalizers</c>) value by value; a list with neither
/// is atomic: replaced and owned whole.
/// </summary>
internal sealed class ListSchema(Func<IReadOnlyList<string>, ListKey?> keyOf, Func<IReadOnlyList<string>, bool> isSet)
{
    private static readonly ListKey s_byName = new(["name"], "name");
    private static readonly IReadOnlyDictionary<string, string> s_tcp = new Dictionary<string, string> { ["protocol"] = "TCP" };
    private static readonly HashSet<string> s_containerLists = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>Every list atomic (a custom resource whose schema marks none as a map).</summary>
    public static ListSchema Atomic { get; } = new(_ => null, _ => false);

    /// <summary>The built-in kinds' associative lists and sets, as their Go types' listType/listMapKey/patchMergeKey markers say.</summary>
    public static ListSchema BuiltIn { get; } = new(BuiltInKey, BuiltInSet);

    public ListKey? KeyOf(IReadOnlyList<string> fieldNames) => fieldNames.Count == 0 ? null : keyOf(fieldNames);

    /// <summary>Whether the list at <paramref name="fieldNames"/> is a set of scalars, owned and merged value by value.</summary>
    public bool IsSet(IReadOnlyList<string> fieldNames) => fieldNames.Count > 0 && isSet(fieldNames);

    /// <summary>
    /// A custom resource's lists from its structural schema (<c>x-kubernetes-list-type: map</c> with
    /// <c>x-kubernetes-list-map-keys</c>, or <c>set</c>); metadata's as every kind's.
    /// </summary>
    public static ListSchema FromOpenApi(JsonObject? schema) =>
        new(names => names[0] == "metadata" ? BuiltInKey(names) : schema is null ? null : OpenApiKey(schema, names),
            names => names[0] == "metadata" ? BuiltInSet(names) : (string?)OpenApiList(schema, names)?["x-kubernetes-list-type"] == "set");

    // The +listType=set lists of the served kinds: ObjectMeta.finalizers, NodeSpec.podCIDRs.
    private static bool BuiltInSet(IReadOnlyList<string> names) =>
        names is ["metadata", "finalizers"] or ["spec", "podCIDRs"];

    private static ListKey? BuiltInKey(IReadOnlyList<string> names)
    {
        var parent = names.Count > 1 ? names[^2] : "";
        return names[^1] switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" or "resourceClaims" or "schedulingGates" => s_byName,
            "claims" when parent == "resources" => s_byName,
            "volumeMounts" => new(["mountPath"], "mountPath"),
            "volumeDevices" => new(["devicePath"], "devicePath"),
            "hostAliases" => new(["ip"], "ip"),
            "topologySpreadConstraints" => new(["topologyKey", "whenUnsatisfiable"], "topologyKey"),
            "ownerReferences" when parent == "metadata" => new(["uid"], "uid"),
            "conditions" when parent == "status" => new(["type"], "type"),
            "ports" when s_containerLists.Contains(parent) => new(["containerPort", "protocol"], "containerPort", s_tcp),
            "ports" when parent == "spec" => new(["port", "protocol"], "port", s_tcp),
            _ => null,
        };
    }

    private static ListKey? OpenApiKey(JsonObject schema, IReadOnlyList<string> names)
    {
        var node = OpenApiList(schema, names);
        if ((string?)node?["x-kubernetes-list-type"] != "map" || node["x-kubernetes-list-map-keys"] is not JsonArray { Count: > 0 } keys)
        {
            return null;
        }

        var fields = keys.Select(k => (string?)k).OfType<string>().ToList();
        return new ListKey(fields, fields[0]);
    }

    // The schema of the list at the path of field names (through the items of the lists on the way).
    private static JsonNode? OpenApiList(JsonObject? schema, IReadOnlyList<string> names)
    {
        JsonNode? node = schema;
        for (var i = 0; i < names.Count; i++)
        {
            node = node?["properties"]?[names[i]];
            if (i < names.Count - 1 && (string?)node?["type"] == "array")
            {
                node = node["items"];
            }
        }

        return node;
    }
}
