using System.Text.Json;

namespace ScaleControl.Sandbox.DingTalk.Platform;

/// <summary>
/// Strict readers over a request body: a field of the wrong JSON type is a client error (<paramref name="invalidCode"/>),
/// never silently coerced, so a client sending numbers where DingTalk wants strings is caught here.
/// </summary>
internal static class JsonFields
{
    public static bool Has(this JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public static string? String(this JsonElement body, string name, string invalidCode)
    {
        if (!body.Has(name))
        {
            return null;
        }

        var value = body.GetProperty(name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw DingTalkApiException.BadRequest(invalidCode, $"{name} must be a string");
    }

    public static JsonElement? Object(this JsonElement body, string name, string invalidCode)
    {
        if (!body.Has(name))
        {
            return null;
        }

        var value = body.GetProperty(name);
        return value.ValueKind == JsonValueKind.Object
            ? value
            : throw DingTalkApiException.BadRequest(invalidCode, $"{name} must be an object");
    }

    public static int? Int(this JsonElement body, string name, string invalidCode)
    {
        if (!body.Has(name))
        {
            return null;
        }

        var value = body.GetProperty(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw DingTalkApiException.BadRequest(invalidCode, $"{name} must be an integer");
    }

    public static bool? Bool(this JsonElement body, string name, string invalidCode)
    {
        if (!body.Has(name))
        {
            return null;
        }

        var value = body.GetProperty(name);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw DingTalkApiException.BadRequest(invalidCode, $"{name} must be a boolean");
    }

    public static IReadOnlyList<string>? StringArray(this JsonElement body, string name, string invalidCode)
    {
        if (!body.Has(name))
        {
            return null;
        }

        var value = body.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw DingTalkApiException.BadRequest(invalidCode, $"{name} must be an array of strings");
        }

        return [.. value.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>A JSON object whose values must all be strings (e.g. <c>atUserIds</c>, <c>extension</c>).</summary>
    public static IReadOnlyDictionary<string, string>? StringMap(this JsonElement body, string name, string invalidCode)
    {
        if (body.Object(name, invalidCode) is not { } map)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw DingTalkApiException.BadRequest(invalidCode, $"{name}.{property.Name} must be a string");
        }

        return result;
    }
}
