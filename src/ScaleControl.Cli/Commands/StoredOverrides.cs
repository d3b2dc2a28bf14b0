using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// What <c>scale</c>, <c>freeze</c> and <c>prepare</c> wrote into a stored policy's spec (the pin, the freeze, the
/// expected events) and a policy file does not mention: <c>policy apply</c> keeps those still in force, as kubectl
/// apply keeps fields another manager set. A file that sets the field (even to empty or null) decides it. Without
/// this, re-applying a policy file replaced the whole spec and silently removed an announced event's floor, a pin or
/// a freeze: the capacity asked for the push was gone and nothing said so.
/// </summary>
internal static class StoredOverrides
{
    /// <summary>Copies into <paramref name="file"/>'s spec the overrides of <paramref name="stored"/> it leaves out; returns what was kept.</summary>
    public static IReadOnlyList<string> CarryOver(JsonObject file, JsonNode? stored, DateTimeOffset now)
    {
        var kept = new List<string>();
        if (file["spec"] is not JsonObject spec || stored?["spec"] is not JsonObject storedSpec)
        {
            return kept;
        }

        foreach (var field in new[] { "pin", "freeze" })
        {
            if (!spec.ContainsKey(field) && storedSpec[field] is JsonObject value && InForce(value["until"], now))
            {
                spec[field] = value.DeepClone();
                kept.Add(field);
            }
        }

        if (!spec.ContainsKey("expectedEvents") && storedSpec["expectedEvents"] is JsonArray events)
        {
            var coming = events.OfType<JsonObject>().Where(e => InForce(End(e), now)).Select(e => e.DeepClone()).ToArray();
            if (coming.Length > 0)
            {
                spec["expectedEvents"] = new JsonArray(coming);
                kept.AddRange(coming.Select(e => $"expected event {e["name"]}"));
            }
        }

        return kept;
    }

    /// <summary>An expected event's floor ends <c>durationSeconds</c> after <c>at</c>.</summary>
    private static DateTimeOffset? End(JsonObject expected) =>
        Time(expected["at"]) is { } at && expected["durationSeconds"] is JsonValue d && d.TryGetValue<long>(out var seconds) ? at.AddSeconds(seconds) : null;

    private static bool InForce(JsonNode? until, DateTimeOffset now) => InForce(Time(until), now);

    /// <summary>Unreadable times are kept: the server validates them and says what is wrong.</summary>
    private static bool InForce(DateTimeOffset? until, DateTimeOffset now) => until is not { } end || end > now;

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
}
