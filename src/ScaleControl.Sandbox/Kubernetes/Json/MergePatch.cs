using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>RFC 7386 JSON merge patch; with <c>strategic</c> set, the subset of strategic merge kubectl sends.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch, bool strategic = false)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (strategic && (string?)patchObject["$patch"] == "replace")
        {
            // The object replaces the target whole (kubectl rollout undo of a StatefulSet sends its template so).
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return Apply(null, replacement, strategic);
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject.ToList())
        {
            if (strategic && key.StartsWith('$'))
            {
                continue; // $setElementOrder/…, $retainKeys, $patch: ordering and pruning directives
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (strategic && value is JsonArray patchItems && result[key] is JsonArray currentItems && IsKeyedByName(patchItems, currentItems))
            {
                result[key] = MergeByName(currentItems, patchItems);
            }
            else
            {
                result[key] = Apply(result[key]?.DeepClone(), value, strategic);
            }
        }

        return result;
    }

    // Strategic merge merges lists of containers, env vars, volumes… by their "name" merge key.
    private static bool IsKeyedByName(JsonArray patch, JsonArray current) =>
        patch.Count > 0 && patch.Concat(current).All(i => i is JsonObject o && o["name"] is JsonValue);

    private static JsonArray MergeByName(JsonArray current, JsonArray patch)
    {
        var merged = current.Select(i => (JsonObject)i!.DeepClone()).ToList();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var name = (string?)item["name"];
            var index = merged.FindIndex(m => (string?)m["name"] == name);
            var delete = (string?)item["$patch"] == "delete";
            if (index >= 0 && delete)
            {
                merged.RemoveAt(index);
            }
            else if (index >= 0)
            {
                merged[index] = (JsonObject)Apply(merged[index], item, strategic: true)!;
            }
            else if (!delete)
            {
                merged.Add((JsonObject)Apply(null, item, strategic: true)!);
            }
        }

        return new JsonArray(merged.Select(m => (JsonNode)m).ToArray());
    }
}
