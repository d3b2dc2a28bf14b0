using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// <c>metadata.managedFields</c> as the apiserver's field manager keeps it: which manager set which leaf field, by
/// structured-merge-diff path (<c>.spec.template.spec.containers[name="web"].image</c>), stored as FieldsV1. An
/// entry is one identity (manager, operation, subresource, and for Update the apiVersion). Items of associative lists
/// (the kind's <see cref="ListSchema"/>: containers by name, ports by containerPort and protocol) are owned one by
/// one, the item itself (its <c>"."</c>) and each of its fields; values of sets (<c>metadata.finalizers</c>) one by
/// one as <c>v:"example.com/x"</c>; other lists are owned whole. An empty associative list or set owns nothing (it
/// has no items), as structured-merge-diff's ToFieldSet.
/// </summary>
internal static class ManagedFields
{
    // Identity and server-owned fields no manager owns.
    private static readonly HashSet<string> s_unowned =
        [Path("apiVersion"), Path("kind"), .. new[] { "name", "namespace", "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp" }
            .Select(n => Path("metadata", n))];

    /// <summary>The path of <c>.spec.replicas</c>, the one field a scale subresource write changes.</summary>
    public static string Replicas { get; } = Path("spec", "replicas");

    /// <summary>The fields an object (or an applied configuration) sets that a manager can own, by path, with their values.</summary>
    /// <param name="appliedAs">For an applied configuration, its type as errors name it (<c>apps/v1, Kind=Deployment</c>): an
    /// item without its key, or two with one key, is then the apiserver's 400 (a live object's such list is owned whole).</param>
    public static Dictionary<string, JsonNode?> Leaves(JsonObject obj, ListSchema lists, string? appliedAs = null)
    {
        var leaves = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Walk(obj, "", [], lists, appliedAs, leaves);
        foreach (var path in leaves.Keys.Where(p => s_unowned.Contains(p)).ToList())
        {
            leaves.Remove(path);
        }

        return leaves;
    }

    public static bool IsStatus(string path) => path == "f:status" || path.StartsWith("f:status" + Separator, StringComparison.Ordinal);

    /// <summary>A copy of the object's entries.</summary>
    public static List<JsonObject> EntriesOf(JsonObject? obj) =>
        (obj?["metadata"]?["managedFields"] as JsonArray)?.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList() ?? [];

    /// <summary>
    /// An Update by <paramref name="owner"/> that turned <paramref name="before"/> (null: a create) into
    /// <paramref name="after"/>: the fields it added or changed within <paramref name="inScope"/> become its own and
    /// leave every other entry (an update always takes over); fields it removed leave every entry.
    /// </summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, FieldOwner owner, string subresource, Func<string, bool> inScope, string apiVersion, string now, ListSchema lists)
    {
        var old = before is null ? [] : Leaves(before, lists).Where(kv => inScope(kv.Key)).ToDictionary(StringComparer.Ordinal);
        var next = Leaves(after, lists).Where(kv => inScope(kv.Key)).ToDictionary(StringComparer.Ordinal);
        var changed = next.Where(kv => !old.TryGetValue(kv.Key, out var was) || !JsonNode.DeepEquals(was, kv.Value)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var removed = old.Keys.Where(p => !next.ContainsKey(p)).ToHashSet(StringComparer.Ordinal);
        if (changed.Count == 0 && removed.Count == 0)
        {
            return;
        }

        var entries = EntriesOf(after);
        var mine = entries.FirstOrDefault(e => (string?)e["manager"] == owner.Manager && (string?)e["operation"] == "Update"
            && (string?)e["apiVersion"] == apiVersion && ((string?)e["subresource"] ?? "") == subresource);
        foreach (var entry in entries.Where(e => e != mine))
        {
            entry["fieldsV1"] = FieldsV1(FieldPaths(entry["fieldsV1"] as JsonObject).Where(p => !changed.Contains(p) && !removed.Contains(p)));
        }

        var owned = FieldPaths(mine?["fieldsV1"] as JsonObject).Where(p => !removed.Contains(p)).Union(changed).ToList();
        if (mine is not null)
        {
            entries.Remove(mine);
        }

        var updated = new JsonObject
        {
            ["manager"] = owner.Manager,
            ["operation"] = "Update",
            ["apiVersion"] = apiVersion,
            ["time"] = now,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = FieldsV1(owned),
        };
        if (subresource.Length > 0)
        {
            updated["subresource"] = subresource;
        }

        entries.Add(updated);
        Store(after, entries);
    }

    /// <summary>Writes the entries back, without empty ones, in the apiserver's order (operation, time, manager, apiVersion, subresource).</summary>
    public static void Store(JsonObject obj, List<JsonObject> entries)
    {
        var kept = entries.Where(e => e["fieldsV1"] is JsonObject { Count: > 0 })
            .OrderBy(e => (string?)e["operation"], StringComparer.Ordinal)
            .ThenBy(e => DateTimeOffset.TryParse((string?)e["time"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUnixTimeSeconds() : 0)
            .ThenBy(e => (string?)e["manager"], StringComparer.Ordinal)
            .ThenBy(e => (string?)e["apiVersion"], StringComparer.Ordinal)
            .ThenBy(e => (string?)e["subresource"] ?? "", StringComparer.Ordinal)
            .Select(e => (JsonNode)e)
            .ToArray();
        var metadata = obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());
        if (kept.Length == 0)
        {
            metadata.Remove("managedFields");
        }
        else
        {
            metadata["managedFields"] = new JsonArray(kept);
        }
    }

    /// <summary>How a conflict names an entry, as the apiserver's printManager: <c>"kubectl-scale" with subresource "scale" using apps/v1</c>.</summary>
    public static string Describe(JsonObject entry)
    {
        var text = JsonSerializer.Serialize((string?)entry["manager"] ?? "");
        if ((string?)entry["subresource"] is { Length: > 0 } subresource)
        {
            text += $" with subresource {JsonSerializer.Serialize(subresource)}";
        }

        return (string?)entry["operation"] == "Update" ? $"{text} using {(string?)entry["apiVersion"]}" : text;
    }

    /// <summary>
    /// Removes the fields at <paramref name="paths"/> from <paramref name="obj"/>, and the maps left empty by it; a
    /// list item's path removes the item. An item's key fields go only with the item (never leaving it without its key).
    /// </summary>
    public static void Remove(JsonObject obj, IEnumerable<string> paths, ListSchema lists)
    {
        foreach (var path in paths)
        {
            RemoveAt(obj, path.Split(Separator), 0, [], lists);
        }
    }

    // True when the node was left empty (so its parent drops it).
    private static bool RemoveAt(JsonNode? node, string[] keys, int i, List<string> names, ListSchema lists)
    {
        var key = keys[i];
        var last = i == keys.Length - 1;
        if (key.StartsWith("f:", StringComparison.Ordinal) && node is JsonObject o)
        {
            var name = key[2..];
            var keyOfItem = last && i > 0 && keys[i - 1].StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(keys[i - 1][2..]) is JsonObject k && k.ContainsKey(name);
            names.Add(name);
            if ((last && !keyOfItem) || (!last && o.ContainsKey(name) && RemoveAt(o[name], keys, i + 1, names, lists)))
            {
                o.Remove(name);
            }

            names.RemoveAt(names.Count - 1);
            return o.Count == 0;
        }

        if (key.StartsWith("v:", StringComparison.Ordinal) && node is JsonArray values && lists.IsSet(names))
        {
            var value = JsonNode.Parse(key[2..]);
            foreach (var item in values.Where(v => JsonNode.DeepEquals(v, value)).ToList())
            {
                values.Remove(item);
            }

            return values.Count == 0;
        }

        if (key.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray a && lists.KeyOf(names) is { } listKey && JsonNode.Parse(key[2..]) is JsonObject itemKey)
        {
            var item = a.OfType<JsonObject>().FirstOrDefault(x => listKey.Matches(x, itemKey));
            if (item is not null && (last || RemoveAt(item, keys, i + 1, names, lists)))
            {
                a.Remove(item);
            }

            return a.Count == 0;
        }

        return false;
    }

    /// <summary>
    /// A path as the apiserver prints it in a conflict: <c>.spec.template.spec.containers[name="web"].image</c>, a
    /// set's value as <c>.metadata.finalizers[="example.com/x"]</c>.
    /// </summary>
    public static string Display(string path) => string.Concat(path.Split(Separator).Select(key => key.StartsWith("k:", StringComparison.Ordinal)
        && JsonNode.Parse(key[2..]) is JsonObject k
            ? "[" + string.Join(',', k.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString()}")) + "]"
            : key.StartsWith("v:", StringComparison.Ordinal) ? "[=" + key[2..] + "]"
            : "." + key[2..]));

    /// <summary>Whether <paramref name="path"/> lies strictly beneath <paramref name="ancestor"/> (a field of it, an item or value of its list).</summary>
    public static bool IsBeneath(string path, string ancestor) => path.StartsWith(ancestor + Separator, StringComparison.Ordinal);

    /// <summary>The FieldsV1 of a set of paths ({"f:spec":{"f:replicas":{}}}, a keyed item as "k:{\"name\":\"web\"}" with its own ".").</summary>
    public static JsonObject FieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths)
        {
            var node = root;
            foreach (var key in path.Split(Separator))
            {
                node = node[key] as JsonObject ?? (JsonObject)(node[key] = key.StartsWith("k:", StringComparison.Ordinal)
                    ? new JsonObject { ["."] = new JsonObject() }
                    : new JsonObject());
            }
        }

        return root;
    }

    /// <summary>The leaf paths of a FieldsV1.</summary>
    public static List<string> FieldPaths(JsonObject? fields)
    {
        var paths = new List<string>();
        Collect(fields, "", paths);
        return paths;
    }

    // A path is its FieldsV1 keys ("f:spec", "k:{\"name\":\"web\"}") joined by a separator no key contains, so
    // keys with dots (app.kubernetes.io/name) stay one key.
    private const char Separator = '\u001f';

    private static string Join(string path, string key) => path.Length == 0 ? key : path + Separator + key;

    private static string Path(params string[] names) => string.Join(Separator, names.Select(n => "f:" + n));

    private static void Walk(JsonNode? node, string path, List<string> names, ListSchema lists, string? appliedAs, Dictionary<string, JsonNode?> leaves)
    {
        switch (node)
        {
            case JsonObject { Count: > 0 } o:
                foreach (var (key, child) in o)
                {
                    names.Add(key);
                    Walk(child, Join(path, "f:" + key), names, lists, appliedAs, leaves);
                    names.RemoveAt(names.Count - 1);
                }

                break;
            case JsonArray { Count: 0 } when lists.KeyOf(names) is not null || lists.IsSet(names):
                break;
            case JsonArray a when lists.IsSet(names) && SetValues(a, path, appliedAs) is { } values:
                foreach (var value in values)
                {
                    leaves[Join(path, "v:" + ValueKey(value))] = value?.DeepClone();
                }

                break;
            case JsonArray { Count: > 0 } a when lists.KeyOf(names) is { } listKey && ItemKeys(a, listKey, path, appliedAs) is { } itemKeys:
                for (var i = 0; i < a.Count; i++)
                {
                    var itemPath = Join(path, "k:" + itemKeys[i].ToJsonString());
                    leaves[itemPath] = itemKeys[i];
                    Walk(a[i], itemPath, names, lists, appliedAs, leaves);
                }

                break;
            default:
                leaves[path] = node?.DeepClone();
                break;
        }
    }

    // A set's values; null (the list is owned whole) when one repeats, which in an applied configuration is the
    // apiserver's error instead.
    private static List<JsonNode?>? SetValues(JsonArray set, string path, string? appliedAs)
    {
        var values = new List<JsonNode?>();
        foreach (var value in set)
        {
            if (values.Any(v => JsonNode.DeepEquals(v, value)))
            {
                return appliedAs is null ? null
                    : throw ApiErrors.BadRequest($"failed to create typed patch object ({appliedAs}): {Display(path)}: duplicate entries for key [={ValueKey(value)}]");
            }

            values.Add(value);
        }

        return values;
    }

    private static string ValueKey(JsonNode? value) => value?.ToJsonString() ?? "null";

    // Each item's key; null (the list is owned whole) when one has none or two share one, which in an applied
    // configuration is the apiserver's error instead.
    private static List<JsonObject>? ItemKeys(JsonArray list, ListKey listKey, string path, string? appliedAs)
    {
        var keys = new List<JsonObject>();
        for (var i = 0; i < list.Count; i++)
        {
            var key = list[i] is JsonObject item ? listKey.KeyOf(item) : null;
            string? problem = null;
            if (key is null)
            {
                problem = list[i] is JsonObject missing
                    ? $"element {i}: associative list with keys has an element that omits key field {JsonSerializer.Serialize(listKey.MissingField(missing))} (and doesn't have default value)"
                    : $"element {i}: expected map, got {list[i]?.GetValueKind().ToString().ToLowerInvariant() ?? "null"}";
            }
            else if (keys.Any(k => JsonNode.DeepEquals(k, key)))
            {
                problem = $"duplicate entries for key {Display(Join("", "k:" + key.ToJsonString()))}";
            }

            if (problem is not null)
            {
                return appliedAs is null ? null : throw ApiErrors.BadRequest($"failed to create typed patch object ({appliedAs}): {Display(path)}: {problem}");
            }

            keys.Add(key!);
        }

        return keys;
    }

    private static void Collect(JsonObject? fields, string path, List<string> paths)
    {
        var children = fields?.Where(kv => kv.Key != ".").ToList() ?? [];
        if (path.Length > 0 && (children.Count == 0 || fields!.ContainsKey(".")))
        {
            paths.Add(path);
        }

        foreach (var (key, child) in children)
        {
            if (key.StartsWith("f:", StringComparison.Ordinal) || key.StartsWith("k:", StringComparison.Ordinal) || key.StartsWith("v:", StringComparison.Ordinal))
            {
                Collect(child as JsonObject, Join(path, key), paths);
            }
        }
    }
}
