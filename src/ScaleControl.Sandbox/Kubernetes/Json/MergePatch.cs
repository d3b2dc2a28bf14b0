using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>
/// RFC 7386 JSON merge patch; the subset of strategic merge kubectl sends (lists of objects merged by their
/// patchMergeKey); and server-side apply's merge of an applied configuration (by the lists' list-map keys, sets by value).
/// </summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => Merge(target, patch, null, byListMapKeys: false, []);

    /// <summary>A strategic merge patch: lists of objects merge by their patchMergeKey (containers by name, ports by containerPort).</summary>
    public static JsonNode? Strategic(JsonNode? target, JsonNode? patch, ListSchema lists) => Merge(target, patch, lists, byListMapKeys: false, []);

    /// <summary>An applied configuration over the live object: associative lists merge item by item (by their list-map keys), others are replaced.</summary>
    public static JsonNode? Applied(JsonNode? target, JsonNode? configuration, ListSchema lists) => Merge(target, configuration, lists, byListMapKeys: true, []);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, ListSchema? lists, bool byListMapKeys, List<string> names)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (lists is not null && (string?)patchObject["$patch"] == "replace")
        {
            // The object replaces the target whole (kubectl rollout undo of a StatefulSet sends its template so).
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return Merge(null, replacement, lists, byListMapKeys, names);
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject.ToList())
        {
            if (lists is not null && key.StartsWith('$'))
            {
                continue; // $setElementOrder/…, $retainKeys, $patch: ordering and pruning directives
            }

            names.Add(key);
            if (value is null)
            {
                result.Remove(key);
            }
            else if (lists?.KeyOf(names) is { } listKey && value is JsonArray patchItems && result[key] is JsonArray currentItems
                && MergeByKey(currentItems, patchItems, listKey, lists, byListMapKeys, names) is { } merged)
            {
                result[key] = merged;
            }
            else if (byListMapKeys && lists!.IsSet(names) && value is JsonArray appliedValues && result[key] is JsonArray currentValues)
            {
                // A set: the live values, then the applied ones it lacks.
                result[key] = new JsonArray([.. currentValues.Concat(appliedValues.Where(v => !currentValues.Any(c => JsonNode.DeepEquals(c, v)))).Select(v => v?.DeepClone())]);
            }
            else
            {
                result[key] = Merge(result[key]?.DeepClone(), value, lists, byListMapKeys, names);
            }

            names.RemoveAt(names.Count - 1);
        }

        return result;
    }

    // Null when an item has no key: then the patch's list replaces the live one.
    private static JsonArray? MergeByKey(JsonArray current, JsonArray patch, ListKey listKey, ListSchema lists, bool byListMapKeys, List<string> names)
    {
        Func<JsonObject, JsonNode?> keyOf = byListMapKeys ? item => listKey.KeyOf(item) : item => item[listKey.MergeKey];
        if (patch.Concat(current).Any(i => i is not JsonObject o || keyOf(o) is null))
        {
            return null;
        }

        var merged = current.Select(i => (JsonObject)i!.DeepClone()).ToList();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var key = keyOf(item);
            var index = merged.FindIndex(m => JsonNode.DeepEquals(keyOf(m), key));
            var delete = !byListMapKeys && (string?)item["$patch"] == "delete";
            if (index >= 0 && delete)
            {
                merged.RemoveAt(index);
            }
            else if (index >= 0)
            {
                merged[index] = (JsonObject)Merge(merged[index], item, lists, byListMapKeys, names)!;
            }
            else if (!delete)
            {
                merged.Add((JsonObject)Merge(null, item, lists, byListMapKeys, names)!);
            }
        }

        return new JsonArray(merged.Select(m => (JsonNode)m).ToArray());
    }
}
