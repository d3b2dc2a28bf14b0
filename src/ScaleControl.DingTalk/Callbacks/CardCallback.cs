using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// A card button tap as DingTalk reports it (§3.1), identical over Stream and HTTP. <c>content</c> arrives as a string
/// holding JSON; it is decoded here into the tapped button's actionIds and params.
/// </summary>
public sealed record CardCallback(
    string OutTrackId,
    string UserId,
    string? CorpId,
    IReadOnlyList<string> ActionIds,
    IReadOnlyDictionary<string, string> Params)
{
    /// <summary>A field given twice is not a callback DingTalk sends: refused, rather than one of the two picked (or a throw).</summary>
    private static readonly JsonDocumentOptions s_strict = new() { AllowDuplicateProperties = false };

    public static bool TryParse(string json, [NotNullWhen(true)] out CardCallback? callback, [NotNullWhen(false)] out string? error)
    {
        callback = null;
        try
        {
            using var document = JsonDocument.Parse(json, s_strict);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the callback is not a JSON object";
                return false;
            }

            var outTrackId = String(root, "outTrackId");
            var userId = String(root, "userId");
            if (string.IsNullOrEmpty(outTrackId) || string.IsNullOrEmpty(userId))
            {
                error = "the callback lacks outTrackId or userId";
                return false;
            }

            // "content" is current; "value" is what legacy interactiveCards callbacks carried.
            var content = String(root, "content") ?? String(root, "value");
            if (!TryReadPrivateData(content, out var actionIds, out var parameters, out error))
            {
                return false;
            }

            callback = new CardCallback(outTrackId, userId, String(root, "corpId"), actionIds, parameters);
            return true;
        }
        catch (JsonException e)
        {
            error = "the callback is not valid JSON: " + e.Message;
            return false;
        }
    }

    private static bool TryReadPrivateData(
        string? content,
        out IReadOnlyList<string> actionIds,
        out IReadOnlyDictionary<string, string> parameters,
        [NotNullWhen(false)] out string? error)
    {
        actionIds = [];
        parameters = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(content))
        {
            error = "the callback has no content";
            return false;
        }

        using var document = JsonDocument.Parse(content, s_strict);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("cardPrivateData", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            error = "the callback content has no cardPrivateData";
            return false;
        }

        if (data.TryGetProperty("actionIds", out var ids) && ids.ValueKind == JsonValueKind.Array)
        {
            actionIds = ids.EnumerateArray().Where(id => id.ValueKind == JsonValueKind.String).Select(id => id.GetString()!).ToList();
        }

        if (data.TryGetProperty("params", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            parameters = values.EnumerateObject().ToDictionary(
                p => p.Name,
                p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(),
                StringComparer.Ordinal);
        }

        error = null;
        return true;
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
