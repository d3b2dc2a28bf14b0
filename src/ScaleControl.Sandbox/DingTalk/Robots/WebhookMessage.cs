using System.Text;
using System.Text.Json;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>A webhook body understood: msgtype text/markdown/link/actionCard/feedCard with its required fields.</summary>
internal sealed record WebhookMessage(string MsgType, string? Title, string Text, string SearchableText, IReadOnlyList<string> AtUserIds, bool AtAll)
{
    /// <summary>
    /// Reads a webhook-shaped request body (custom robot, session webhook) as oapi does: too long → 460101, not JSON →
    /// 40035, unknown msgtype or missing field → 400105. Exactly one of Message and Error is set.
    /// </summary>
    public static async Task<(WebhookMessage? Message, JsonElement Body, Microsoft.AspNetCore.Http.IResult? Error)> ReadRequestAsync(
        Microsoft.AspNetCore.Http.HttpContext http, int maxBytes)
    {
        using var reader = new StreamReader(http.Request.Body);
        var raw = await reader.ReadToEndAsync(http.RequestAborted);
        if (Encoding.UTF8.GetByteCount(raw) > maxBytes)
        {
            return (null, default, Platform.Oapi.Error(460101, $"message too long, exceed {maxBytes} bytes"));
        }

        JsonElement body;
        try
        {
            body = MessageIds.Parse(raw);
        }
        catch (JsonException)
        {
            return (null, default, Platform.Oapi.Error(40035, "body is not valid JSON"));
        }

        return Read(body) is { } message
            ? (message, body, null)
            : (null, body, Platform.Oapi.Error(400105, "不支持的消息类型 / missing fields for msgtype"));
    }

    /// <summary>Null when the msgtype is unknown or a required field is missing.</summary>
    public static WebhookMessage? Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("msgtype", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var msgType = typeElement.GetString()!;
        var (title, text) = msgType switch
        {
            "text" => (null, Field(body, "text", "content")),
            "markdown" => (Field(body, "markdown", "title"), Field(body, "markdown", "text")),
            "link" => (Field(body, "link", "title"), Field(body, "link", "text") is { } t && Field(body, "link", "messageUrl") is not null ? t : null),
            "actionCard" => (Field(body, "actionCard", "title"), ActionCardText(body)),
            "feedCard" => ("feedCard", FeedCardText(body)),
            _ => (null, null),
        };
        if (text is null || (msgType is "markdown" or "link" or "actionCard" && title is null))
        {
            return null;
        }

        var (atUserIds, atAll) = ReadAt(body);
        return new WebhookMessage(msgType, title, text, $"{title}\n{text}", atUserIds, atAll);
    }

    private static string? Field(JsonElement body, string section, string name) =>
        body.TryGetProperty(section, out var s) && s.ValueKind == JsonValueKind.Object
        && s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    private static string? ActionCardText(JsonElement body)
    {
        var text = Field(body, "actionCard", "text");
        var card = body.GetProperty("actionCard");
        var single = Field(body, "actionCard", "singleTitle") is not null && Field(body, "actionCard", "singleURL") is not null;
        var buttons = card.TryGetProperty("btns", out var btns) && btns.ValueKind == JsonValueKind.Array && btns.GetArrayLength() > 0
            && btns.EnumerateArray().All(b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("title", out _) && b.TryGetProperty("actionURL", out _));
        return single || buttons ? text : null;
    }

    private static string? FeedCardText(JsonElement body)
    {
        if (!body.TryGetProperty("feedCard", out var feed) || !feed.TryGetProperty("links", out var links)
            || links.ValueKind != JsonValueKind.Array || links.GetArrayLength() == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var link in links.EnumerateArray())
        {
            if (link.ValueKind != JsonValueKind.Object || !link.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            text.AppendLine(title.GetString());
        }

        return text.ToString().TrimEnd();
    }

    private static (IReadOnlyList<string>, bool) ReadAt(JsonElement body)
    {
        if (!body.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.Object)
        {
            return ([], false);
        }

        var ids = at.TryGetProperty("atUserIds", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        var all = at.TryGetProperty("isAtAll", out var isAtAll) && isAtAll.ValueKind == JsonValueKind.True;
        return (ids, all);
    }
}
