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

    /// <summary>metav1.FormatLabelSelector: the selector's string, <c>&lt;none&gt;</c> when empty.</summary>
    private static string FormatSelector(JsonObject? selector) => SelectorString(selector) is { Length: > 0 } text ? text : "<none>";

    /// <summary>
    /// LabelSelectorAsSelector(…).String(): every requirement (matchLabels as <c>k=v</c>, then the expressions) sorted
    /// by key, values in order; what a Scale's <c>status.selector</c> carries.
    /// </summary>
    public static string SelectorString(JsonObject? selector) => string.Join(',',
        (selector?["matchLabels"] as JsonObject ?? [])
            .Select(kv => (Key: kv.Key, Text: $"{kv.Key}={JsonPaths.GetString(kv.Value, "")}"))
            .Concat((selector?["matchExpressions"] as JsonArray ?? []).Select(e => (Key: JsonPaths.GetString(e, "key") ?? "", Text: Expression(e))))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => t.Text));

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
