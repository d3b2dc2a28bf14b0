using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Stream;

/// <summary>A server → client frame (§4.3): header values and <c>data</c> are strings.</summary>
public sealed record StreamFrame(string Type, IReadOnlyDictionary<string, string> Headers, string Data)
{
    public const string SystemType = "SYSTEM";
    public const string EventType = "EVENT";
    public const string CallbackType = "CALLBACK";

    public string Topic => Headers.GetValueOrDefault("topic", "");

    public string MessageId => Headers.GetValueOrDefault("messageId", "");

    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out StreamFrame? frame)
    {
        frame = null;
        try
        {
            var wire = JsonSerializer.Deserialize<WireFrame>(utf8Json, DingTalkJson.Options);
            if (wire?.Type is null || wire.Headers is null)
            {
                return false;
            }

            var headers = wire.Headers.ToDictionary(
                h => h.Key,
                h => h.Value.ValueKind == JsonValueKind.String ? h.Value.GetString()! : h.Value.GetRawText(),
                StringComparer.Ordinal);
            frame = new StreamFrame(wire.Type, headers, wire.Data ?? "");
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record WireFrame(string? Type, Dictionary<string, JsonElement>? Headers, string? Data);
}

/// <summary>The client's ACK (§4.5), echoing the frame's messageId; <c>data</c> is a JSON string.</summary>
public sealed record StreamAck(
    int Code,
    IReadOnlyDictionary<string, string> Headers,
    string Message,
    string Data)
{
    public static StreamAck Ok(string messageId, string data) =>
        new(200, new Dictionary<string, string> { ["contentType"] = "application/json", ["messageId"] = messageId }, "OK", data);

    /// <summary>
    /// Code 500 (§4.5: client error), the Go SDK's answer for a handler that did not handle the frame: the gateway
    /// may deliver it to another connection of the app. Sent for taps on another ScaleControl instance's cards.
    /// </summary>
    public static StreamAck NotHandled(string messageId, string message) =>
        new(500, new Dictionary<string, string> { ["contentType"] = "application/json", ["messageId"] = messageId }, message, "{\"status\":\"LATER\"}");

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, DingTalkJson.Options);

    /// <summary>CALLBACK ACK data: the handler's answer wrapped as <c>{"response": …}</c>.</summary>
    public static string CallbackData<T>(T? response) =>
        JsonSerializer.Serialize(new CallbackResponse<T>(response), DingTalkJson.Options);

    private sealed record CallbackResponse<T>([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] T? Response);
}
