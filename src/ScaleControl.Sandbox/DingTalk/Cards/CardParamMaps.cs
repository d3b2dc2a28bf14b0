using System.Text;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Cards;

/// <summary>
/// Reads <c>{"cardParamMap": {…}}</c> objects: every value a string (numbers as "1", booleans as "true"), key at
/// most 100 bytes, value at most 1 KB. Private data keys are user ids in the request's <c>userIdType</c>.
/// </summary>
internal static class CardParamMaps
{
    public const int MaxKeyBytes = 100;
    public const int MaxValueBytes = 1024;

    public static Dictionary<string, string> Read(JsonElement container, string path)
    {
        if (container.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.invalid", $"{path} must be an object");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!container.TryGetProperty("cardParamMap", out var map) || map.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (map.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("param.invalid", $"{path}.cardParamMap must be an object");
        }

        foreach (var property in map.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw DingTalkApiException.BadRequest(
                    "param.invalid", $"{path}.cardParamMap.{property.Name} must be a string (got {property.Value.ValueKind}); encode numbers, booleans and objects as strings");
            }

            if (Encoding.UTF8.GetByteCount(property.Name) > MaxKeyBytes)
            {
                throw DingTalkApiException.BadRequest("param.invalid", $"{path}.cardParamMap key '{property.Name[..20]}…' is longer than {MaxKeyBytes} bytes");
            }

            var value = property.Value.GetString()!;
            if (Encoding.UTF8.GetByteCount(value) > MaxValueBytes)
            {
                throw DingTalkApiException.BadRequest("param.invalid", $"{path}.cardParamMap.{property.Name} is longer than {MaxValueBytes} bytes");
            }

            result[property.Name] = value;
        }

        return result;
    }

    /// <summary>Reads <c>privateData</c> and resolves its keys to userIds; unknown users are <c>param.userIdNotExist</c>.</summary>
    public static Dictionary<string, IReadOnlyDictionary<string, string>> ReadPrivate(
        JsonElement body, SandboxDirectory directory, int userIdType)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (body.Object("privateData", "param.invalid") is not { } privateData)
        {
            return result;
        }

        foreach (var entry in privateData.EnumerateObject())
        {
            var user = directory.FindUser(entry.Name, userIdType)
                ?? throw DingTalkApiException.BadRequest("param.userIdNotExist", $"user {entry.Name} does not exist (userIdType {userIdType})");
            result[user.UserId] = Read(entry.Value, $"privateData.{entry.Name}");
        }

        return result;
    }
}
