using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>
/// RFC 7386 JSON merge patch; the subset of strategic merge kubectl sends (lists of objects merged by their
/// patchMergeKey, sets such as finalizers merged by value with <c>$deleteFromPrimitiveList</c>); and server-side
/// apply's merge of an applied configuration (by the lists' list-map keys, sets by value).
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
        if (lists is not null && !byListMapKeys)
        {
            DeleteFromSets(result, patchObject, lists, names);
            RetainKeys(result, patchObject);
        }

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
            else if (lists?.IsSet(names) == true && value is JsonArray added && result[key] is JsonArray current)
            {
                // A set (patchStrategy=merge for a strategic merge patch): the live values, then the new ones.
                result[key] = new JsonArray([.. current.Concat(added.Where(v => !current.Any(c => JsonNode.DeepEquals(c, v)))).Select(v => v?.DeepClone())]);
            }
            else
            {
                result[key] = Merge(result[key]?.DeepClone(), value, lists, byListMapKeys, names);
            }

            names.RemoveAt(names.Count - 1);
        }

        return result;
    }

    // applyRetainKeysDirective: "$retainKeys": [...] clears the live keys it does not list before the merge (a
    // Deployment's strategy: client-side kubectl apply of type Recreate drops the defaulted rollingUpdate so).
    private static void RetainKeys(JsonObject result, JsonObject patch)
    {
        if (patch["$retainKeys"] is not JsonArray retain)
        {
            return;
        }

        var kept = retain.Select(k => (string?)k).ToHashSet(StringComparer.Ordinal);
        foreach (var key in result.Select(p => p.Key).Where(k => !kept.Contains(k)).ToList())
        {
            result.Remove(key);
        }
    }

    // A strategic merge patch's "$deleteFromPrimitiveList/finalizers": [...] (what client-side kubectl apply sends for
    // values dropped from a merged list of scalars) removes those values first, as strategicpatch's mergeMap.
    private static void DeleteFromSets(JsonObject result, JsonObject patch, ListSchema lists, List<string> names)
    {
        const string Prefix = "$deleteFromPrimitiveList/";
        foreach (var (directive, values) in patch.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var key = directive[Prefix.Length..];
            if (lists.IsSet([.. names, key]) && result[key] is JsonArray current && values is JsonArray deleted)
            {
                foreach (var value in current.Where(c => deleted.Any(d => JsonNode.DeepEquals(c, d))).ToList())
                {
                    current.Remove(value);
                }
            }
        }
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
