using System.Text.Json;
using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.DingTalk.Stream;

/// <summary>Server → client frame. Header values are always strings and <c>data</c> is a JSON document in a string.</summary>
public sealed record StreamFrame(
    [property: JsonPropertyName("specVersion")] string SpecVersion,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("data")] string Data)
{
    [JsonIgnore]
    public string MessageId => Headers["messageId"];
}

/// <summary>Client → server ACK as received (its <c>data</c> must be a string; violations are recorded on the connection).</summary>
public sealed record StreamAck(int Code, string MessageId, string? Message, string? Data);

public static class StreamTopics
{
    public const string CardCallback = "/v1.0/card/instances/callback";
    public const string BotMessage = "/v1.0/im/bot/messages/get";

    public static readonly IReadOnlySet<string> CallbackTopics = new HashSet<string>(StringComparer.Ordinal)
    {
        BotMessage, CardCallback, "/v1.0/card/dynamicData/get", "/v1.0/graph/api/invoke",
    };
}

/// <summary>One entry of the open request's <c>subscriptions</c>.</summary>
public sealed record StreamSubscription(string Type, string Topic);

internal static class StreamJson
{
    public static string Serialize(StreamFrame frame) => JsonSerializer.Serialize(frame, Platform.SandboxJson.Options);
}
