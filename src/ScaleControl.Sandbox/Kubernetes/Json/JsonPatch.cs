using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>
/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) over JSON pointers. As the apiserver: a body that is
/// not a list of operations is a 400; an operation that cannot be applied (a missing path, a failed test, an unknown
/// op) is its generic 422 without details.
/// </summary>
internal static class JsonPatch
{
    // The apiserver's maxJSONPatchOperations.
    private const int MaxOperations = 10000;

    public static JsonNode Apply(JsonNode document, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiErrors.BadRequest($"json: cannot unmarshal {GoKind(patch)} into Go value of type jsonpatch.Patch");
        }

        if (operations.FirstOrDefault(op => op is not JsonObject) is var notAnOperation && operations.Any(op => op is not JsonObject))
        {
            throw ApiErrors.BadRequest($"json: cannot unmarshal {GoKind(notAnOperation)} into Go value of type jsonpatch.Operation");
        }

        if (operations.Count > MaxOperations)
        {
            throw new ApiException(ApiErrors.Status(413, "RequestEntityTooLarge",
                $"Request entity too large: The allowed maximum operations in a JSON patch is {MaxOperations}, got {operations.Count}"));
        }

        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var op in operations)
        {
            var path = (string?)op?["path"] ?? throw ApiErrors.PatchNotApplied();
            switch ((string?)op!["op"])
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var moved = Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Resolve(root, From(op)).DeepClone());
                    break;
                case "test" when !JsonNode.DeepEquals(Resolve(root, path), op["value"]):
                    throw ApiErrors.PatchNotApplied();
                case "test":
                    break;
                default:
                    throw ApiErrors.PatchNotApplied();
            }
        }

        return root["doc"]!.DeepClone();
    }

    private static string GoKind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or System.Text.Json.JsonValueKind.Null => "null",
        System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "bool",
        var kind => kind.ToString()!.ToLowerInvariant(),
    };

    private static JsonNode? Value(JsonNode op) =>
        op.AsObject().TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw ApiErrors.PatchNotApplied();

    private static string From(JsonNode op) => (string?)op["from"] ?? throw ApiErrors.PatchNotApplied();

    private static (JsonNode Parent, string Key) Parent(JsonObject root, string pointer)
    {
        var tokens = ("/doc" + pointer).Split('/')[1..].Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode parent = root;
        foreach (var token in tokens[..^1])
        {
            parent = Child(parent, token) ?? throw ApiErrors.PatchNotApplied();
        }

        return (parent, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode Resolve(JsonObject root, string pointer)
    {
        var (parent, key) = Parent(root, pointer);
        return Child(parent, key) ?? throw ApiErrors.PatchNotApplied();
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, key) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[key] = value;
                break;
            case JsonArray a when key == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw ApiErrors.PatchNotApplied();
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer)
    {
        var (parent, key) = Parent(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(key):
                var value = o[key];
                o.Remove(key);
                return value;
            case JsonArray a when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw ApiErrors.PatchNotApplied();
        }
    }
}
