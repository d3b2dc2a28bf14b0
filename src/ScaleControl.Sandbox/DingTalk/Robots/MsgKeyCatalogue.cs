using System.Text;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>
/// The app-robot <c>msgKey</c> catalogue and the <c>msgParam</c> fields each needs. msgParam is a JSON document in a
/// string of at most 15 000 bytes. Field lists of sampleActionCard2..6/audio/file/video are unconfirmed: only title/text
/// (action cards) or a JSON object are required there.
/// </summary>
internal static class MsgKeyCatalogue
{
    public const int MaxMsgParamBytes = 15_000;

    private static readonly Dictionary<string, string[]> s_requiredFields = new(StringComparer.Ordinal)
    {
        ["sampleText"] = ["content"],
        ["sampleMarkdown"] = ["title", "text"],
        ["sampleImageMsg"] = ["photoURL"],
        ["sampleLink"] = ["text", "title", "picUrl", "messageUrl"],
        ["sampleActionCard"] = ["title", "text", "singleTitle", "singleURL"],
        ["sampleActionCard2"] = ["title", "text"],
        ["sampleActionCard3"] = ["title", "text"],
        ["sampleActionCard4"] = ["title", "text"],
        ["sampleActionCard5"] = ["title", "text"],
        ["sampleActionCard6"] = ["title", "text"],
        ["sampleAudio"] = [],
        ["sampleFile"] = [],
        ["sampleVideo"] = [],
    };

    public static IEnumerable<string> Keys => s_requiredFields.Keys;

    /// <summary>Validates msgKey + msgParam; returns the parsed msgParam, a title and display text.</summary>
    public static (JsonElement Param, string? Title, string Text) Read(string? msgKey, string? msgParam)
    {
        if (string.IsNullOrEmpty(msgKey))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.msgKey.empty", "msgKey is empty");
        }

        if (!s_requiredFields.TryGetValue(msgKey, out var required))
        {
            throw DingTalkApiException.BadRequest("invalidParameter.msgKey.invalid", $"msgKey {msgKey} is not supported");
        }

        if (string.IsNullOrEmpty(msgParam) || Encoding.UTF8.GetByteCount(msgParam) > MaxMsgParamBytes)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.msgParam.invalid", $"msgParam must be a JSON string of 1..{MaxMsgParamBytes} bytes");
        }

        JsonElement param;
        try
        {
            param = MessageIds.Parse(msgParam);
        }
        catch (JsonException)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.msgParam.invalid", "msgParam is not valid JSON");
        }

        if (param.ValueKind != JsonValueKind.Object)
        {
            throw DingTalkApiException.BadRequest("invalidParameter.msgParam.invalid", "msgParam must be a JSON object");
        }

        foreach (var field in required)
        {
            if (!param.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
            {
                throw DingTalkApiException.BadRequest("invalidParameter.msgParam.invalid", $"msgParam of {msgKey} needs string field {field}");
            }
        }

        var title = param.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var text = param.TryGetProperty("text", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString()
            : param.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
            : msgParam;
        return (param, title, text!);
    }
}
