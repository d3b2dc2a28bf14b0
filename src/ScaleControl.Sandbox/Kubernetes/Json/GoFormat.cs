using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>
/// A decoded JSON value as Go's <c>fmt</c> prints it with <c>%+v</c> (<c>map[spec:map[replicas:x]]</c>): how the
/// apiserver quotes a strategic merge patch it could not apply.
/// </summary>
internal static class GoFormat
{
    public static string Of(JsonNode? node) => node switch
    {
        null => "<nil>",
        JsonObject o => "map[" + string.Join(' ', o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{Of(kv.Value)}")) + "]",
        JsonArray a => "[" + string.Join(' ', a.Select(Of)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };
}
