using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>Turns a CustomResourceDefinition into the resource types it serves (one per served version).</summary>
internal static class CrdResourceTypes
{
    public static IReadOnlyList<ResourceType> From(JsonObject crd)
    {
        var group = JsonPaths.GetString(crd, "spec.group")!;
        var names = crd["spec"]!["names"]!;
        var plural = JsonPaths.GetString(names, "plural")!;
        var kind = JsonPaths.GetString(names, "kind")!;
        var singular = JsonPaths.GetString(names, "singular") ?? kind.ToLowerInvariant();
        var namespaced = JsonPaths.GetString(crd, "spec.scope") != "Cluster";
        var shortNames = Strings(names["shortNames"]);
        var categories = Strings(names["categories"]);
        var types = new List<ResourceType>();
        foreach (var version in (crd["spec"]!["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"] is JsonValue served && !served.GetValue<bool>())
            {
                continue;
            }

            var schema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject;
            types.Add(new ResourceType(group, (string)version["name"]!, plural, singular, kind, namespaced)
            {
                ShortNames = shortNames,
                Categories = categories,
                HasStatusSubresource = version["subresources"]?["status"] is not null,
                StorageKey = $"{plural}.{group}",
                IsCustom = true,
                Columns = Columns(version["additionalPrinterColumns"] as JsonArray),
                Schema = schema,
                Lists = ListSchema.FromOpenApi(schema),
                Validate = schema is null ? null : o => StructuralSchema.Apply(o, schema),
            });
        }

        return types;
    }

    public static IReadOnlyList<FieldError> Validate(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var group = JsonPaths.GetString(crd, "spec.group");
        var plural = JsonPaths.GetString(crd, "spec.names.plural");
        if (string.IsNullOrEmpty(group))
        {
            errors.Add(FieldError.Required("spec.group", ""));
        }

        if (string.IsNullOrEmpty(plural))
        {
            errors.Add(FieldError.Required("spec.names.plural", ""));
        }

        if (string.IsNullOrEmpty(JsonPaths.GetString(crd, "spec.names.kind")))
        {
            errors.Add(FieldError.Required("spec.names.kind", ""));
        }

        if (crd["spec"]?["versions"] is not JsonArray { Count: > 0 })
        {
            errors.Add(FieldError.Required("spec.versions", "must have exactly one version marked as storage version"));
        }

        var name = JsonPaths.GetString(crd, "metadata.name");
        if (group is not null && plural is not null && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", name, $"must be spec.names.plural+\".\"+spec.group"));
        }

        return errors;
    }

    /// <summary>The status a real apiserver reports once the CRD is served: Established and the accepted names.</summary>
    public static void MarkEstablished(JsonObject crd, string now)
    {
        var status = crd.Obj("status");
        status["acceptedNames"] = crd["spec"]!["names"]!.DeepClone();
        status["storedVersions"] = new JsonArray((crd["spec"]!["versions"] as JsonArray ?? [])
            .Where(v => v?["storage"] is JsonValue s && s.GetValue<bool>())
            .Select(v => (JsonNode?)(string?)v!["name"]).ToArray());
        status["conditions"] = new JsonArray(
            Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
            Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now));
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
    };

    private static List<TableColumn> Columns(JsonArray? printerColumns)
    {
        var columns = new List<TableColumn> { TableColumn.NameColumn };
        foreach (var c in (printerColumns ?? []).OfType<JsonObject>())
        {
            columns.Add(TableColumn.FromJsonPath(
                (string?)c["name"] ?? "", (string?)c["type"] ?? "string", (string?)c["jsonPath"] ?? "", JsonPaths.GetInt(c, "priority") ?? 0));
        }

        if (!columns.Exists(c => c.Name.Equals("Age", StringComparison.OrdinalIgnoreCase)))
        {
            columns.Add(TableColumn.AgeColumn);
        }

        return columns;
    }

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => (string?)x).OfType<string>().ToArray() : [];
}
