using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// Server-side apply's field ownership between appliers: each apply records the fields its configuration sets in
/// <c>metadata.managedFields</c> (operation Apply, FieldsV1); applying a different value to a field another applier
/// owns is the apiserver's 409 conflict (<c>Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas</c>)
/// unless forced, which takes the field over. Lists of objects that all have a <c>name</c> are keyed by it, other
/// lists are owned whole. Not tracked: fields changed by updates and patches (operation Update).
/// </summary>
internal static class ApplyOwnership
{
    // Identity and server-owned fields no applier owns.
    private static readonly HashSet<string> s_unowned =
        [".apiVersion", ".kind", ".metadata.name", ".metadata.namespace", ".metadata.resourceVersion", ".metadata.uid",
         ".metadata.creationTimestamp", ".metadata.generation", ".metadata.managedFields"];

    /// <summary>Applies <paramref name="patch"/> to <paramref name="current"/> (null: a create) for its field manager.</summary>
    public static JsonObject Apply(JsonObject? current, PatchRequest patch, string apiVersion, string now)
    {
        var manager = patch.FieldManager!;
        var applied = Leaves(patch.Body as JsonObject ?? []);
        var live = Leaves(current ?? []);
        var entries = (current?["metadata"]?["managedFields"] as JsonArray)?.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList() ?? [];
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var entry in entries.Where(e => (string?)e["operation"] == "Apply" && (string?)e["manager"] != manager))
        {
            var owned = FieldPaths(entry["fieldsV1"] as JsonObject);
            var contested = owned.Where(p => applied.ContainsKey(p) && live.TryGetValue(p, out var value) && !JsonNode.DeepEquals(value, applied[p])).ToList();
            if (patch.Force)
            {
                entry["fieldsV1"] = FieldsV1(owned.Except(contested));
            }
            else
            {
                conflicts.AddRange(contested.Select(p => ((string)entry["manager"]!, p)));
            }
        }

        if (conflicts.Count > 0)
        {
            throw Conflict(conflicts);
        }

        var result = patch.ApplyTo(current ?? new JsonObject { ["metadata"] = new JsonObject { ["name"] = patch.Body?["metadata"]?["name"]?.DeepClone() } });
        entries.RemoveAll(e => (string?)e["manager"] == manager && (string?)e["operation"] == "Apply");
        entries.RemoveAll(e => e["fieldsV1"] is JsonObject { Count: 0 });
        entries.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = apiVersion,
            ["time"] = now,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = FieldsV1(applied.Keys),
        });
        result.Obj("metadata")["managedFields"] = new JsonArray([.. entries]);
        return result;
    }

    // As the apiserver's NewConflictError: a 409 whose message lists each conflicting field by manager.
    private static ApiException Conflict(List<(string Manager, string Path)> conflicts)
    {
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\": {conflicts[0].Path}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join('\n', conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"conflicts with \"{g.Key}\":\n" + string.Join('\n', g.Select(c => $"- {c.Path}"))));
        var causes = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{c.Manager}\"", ["field"] = c.Path,
        })]);
        return new ApiException(ApiErrors.Status(409, "Conflict", message, new JsonObject { ["causes"] = causes }));
    }

    /// <summary>The leaf fields an object sets, by structured-merge-diff path (<c>.spec.template.spec.containers[name="web"].image</c>), with their values.</summary>
    private static Dictionary<string, JsonNode?> Leaves(JsonObject obj)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Walk(obj, "", leaves);
        foreach (var path in leaves.Keys.Where(p => s_unowned.Contains(p) || p.StartsWith(".status", StringComparison.Ordinal)).ToList())
        {
            leaves.Remove(path);
        }

        return leaves;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, JsonNode?> leaves)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } o:
                foreach (var (key, child) in o)
                {
                    Walk(child, $"{path}.{key}", leaves);
                }

                break;
            case JsonArray a when IsKeyedByName(a):
                foreach (var item in a.OfType<JsonObject>())
                {
                    Walk(item, $"{path}[name={JsonSerializer.Serialize((string?)item["name"])}]", leaves);
                }

                break;
            default:
                leaves[path] = node?.DeepClone();
                break;
        }
    }

    private static bool IsKeyedByName(JsonArray array) =>
        array.Count > 0 && array.All(i => i is JsonObject o && o["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String);

    // Paths to FieldsV1 ({"f:spec":{"f:replicas":{}}}, a keyed item as "k:{\"name\":\"web\"}" with its own ".").
    private static JsonObject FieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths)
        {
            var node = root;
            foreach (var segment in Segments(path))
            {
                node = node[segment] as JsonObject ?? (JsonObject)(node[segment] = segment.StartsWith("k:", StringComparison.Ordinal)
                    ? new JsonObject { ["."] = new JsonObject() }
                    : new JsonObject());
            }
        }

        return root;
    }

    private static IEnumerable<string> Segments(string path)
    {
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                yield return "f:" + path[(i + 1)..end];
                i = end;
            }
            else
            {
                // [name="web"]: the JSON string runs to the closing quote before ']'.
                var end = path.IndexOf("\"]", i, StringComparison.Ordinal) + 2;
                var name = JsonSerializer.Deserialize<string>(path[(i + 6)..(end - 1)]);
                yield return "k:" + new JsonObject { ["name"] = name }.ToJsonString();
                i = end;
            }
        }
    }

    private static List<string> FieldPaths(JsonObject? fields)
    {
        var paths = new List<string>();
        Collect(fields, "", paths);
        return paths;
    }

    private static void Collect(JsonObject? fields, string path, List<string> paths)
    {
        var children = fields?.Where(kv => kv.Key != ".").ToList() ?? [];
        if (children.Count == 0)
        {
            if (path.Length > 0)
            {
                paths.Add(path);
            }

            return;
        }

        foreach (var (key, child) in children)
        {
            var next = key.StartsWith("f:", StringComparison.Ordinal) ? $"{path}.{key[2..]}"
                : key.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(key[2..]) is JsonObject k && k["name"] is { } name
                    ? $"{path}[name={JsonSerializer.Serialize((string?)name)}]"
                    : null;
            if (next is not null)
            {
                Collect(child as JsonObject, next, paths);
            }
        }
    }
}
