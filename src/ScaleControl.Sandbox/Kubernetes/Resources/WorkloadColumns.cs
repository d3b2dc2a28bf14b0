using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The <c>-o wide</c> columns of the apiserver's workload printers (pkg/printers/internalversion).</summary>
internal static class WorkloadColumns
{
    public static TableColumn Containers { get; } =
        new("Containers", "string", (o, _) => Join(o, "name"), Priority: 1);

    public static TableColumn Images { get; } =
        new("Images", "string", (o, _) => Join(o, "image"), Priority: 1);

    public static TableColumn Selector { get; } =
        new("Selector", "string", (o, _) => FormatSelector(JsonPaths.Get(o, "spec.selector") as JsonObject), Priority: 1);

    private static string Join(JsonObject workload, string field) =>
        string.Join(',', (JsonPaths.Get(workload, "spec.template.spec.containers") as JsonArray ?? [])
            .Select(c => JsonPaths.GetString(c, field) ?? ""));

    /// <summary>metav1.FormatLabelSelector: sorted <c>k=v</c> then expressions, <c>&lt;none&gt;</c> when empty.</summary>
    private static string FormatSelector(JsonObject? selector)
    {
        var terms = (selector?["matchLabels"] as JsonObject ?? [])
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => $"{kv.Key}={JsonPaths.GetString(kv.Value, "")}")
            .Concat((selector?["matchExpressions"] as JsonArray ?? []).Select(Expression))
            .ToList();
        return terms.Count == 0 ? "<none>" : string.Join(',', terms);
    }

    private static string Expression(JsonNode? e)
    {
        var key = JsonPaths.GetString(e, "key");
        var values = string.Join(',', (JsonPaths.Get(e, "values") as JsonArray ?? []).Select(v => (string?)v).Order(StringComparer.Ordinal));
        return JsonPaths.GetString(e, "operator") switch
        {
            "In" => $"{key} in ({values})",
            "NotIn" => $"{key} notin ({values})",
            "DoesNotExist" => $"!{key}",
            _ => key ?? "",
        };
    }
}
