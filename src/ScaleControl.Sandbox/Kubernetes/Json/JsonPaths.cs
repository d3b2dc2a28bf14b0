using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>Dotted paths (<c>spec.replicas</c>, <c>spec.containers[0].name</c>) into JSON objects.</summary>
internal static class JsonPaths
{
    public static JsonNode? Get(JsonNode? node, string path)
    {
        foreach (var segment in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bracket = segment.IndexOf('[', StringComparison.Ordinal);
            var key = bracket < 0 ? segment : segment[..bracket];
            node = node is JsonObject o ? o[key] : null;
            if (bracket >= 0 && node is JsonArray a
                && int.TryParse(segment[(bracket + 1)..].TrimEnd(']'), NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                node = i < a.Count ? a[i] : null;
            }
        }

        return node;
    }

    public static string? GetString(JsonNode? node, string path) => Get(node, path) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };

    public static int? GetInt(JsonNode? node, string path) => Get(node, path) switch
    {
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<long>(out var l) && l is >= int.MinValue and <= int.MaxValue => (int)l,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue => (int)d,
        _ => null,
    };

    /// <summary>The object at <paramref name="key"/>, created when missing.</summary>
    public static JsonObject Obj(this JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }
}
