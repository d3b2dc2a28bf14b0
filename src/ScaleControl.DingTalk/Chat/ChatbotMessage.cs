using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ScaleControl.DingTalk.Api;

namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// A person's message to the robot, as DingTalk pushes it on <c>/v1.0/im/bot/messages/get</c> (the frame's <c>data</c>;
/// see dingtalk-protocol.md, robot chat messages §4). <c>text.content</c> arrives with the robot's @-mention removed.
/// </summary>
public sealed record ChatbotMessage(
    string MsgId,
    string ConversationId,
    string ConversationType,
    string SenderStaffId,
    string SenderNick,
    string? SenderId,
    string? ChatbotUserId,
    string RobotCode,
    string MsgType,
    string Text,
    string? SessionWebhook,
    DateTimeOffset? SessionWebhookExpiresAt)
{
    /// <summary>The staff ids of the people the message @-mentions (<c>atUsers[].staffId</c>; the robot has none).</summary>
    public IReadOnlyList<string> MentionedStaffIds { get; init; } = [];

    /// <summary>The largest <c>data</c> read (DingTalk's frames are at most 256 KiB).</summary>
    public const int MaxDataLength = 256 * 1024;

    public bool IsGroup => ConversationType == "2";

    /// <summary>Robots see their own messages in some clients; they are never commands.</summary>
    public bool FromRobotItself => SenderId is not null && SenderId == ChatbotUserId;

    public static bool TryParse(string data, [NotNullWhen(true)] out ChatbotMessage? message, out string error)
    {
        message = null;
        error = "";
        if (data.Length > MaxDataLength)
        {
            error = "data too large";
            return false;
        }

        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(data, DingTalkJson.Options);
            if (wire is null || string.IsNullOrEmpty(wire.MsgId) || string.IsNullOrEmpty(wire.ConversationId) || wire.ConversationType is not ("1" or "2"))
            {
                error = "msgId, conversationId and conversationType (\"1\" or \"2\") are required";
                return false;
            }

            // A member of another organisation (a cross-organisation group) carries their own organisation's staff id,
            // which may read like one of ours: it names nobody here, so the message is treated as having none (refused,
            // and answered in its own conversation, never privately to our person of that id).
            var ours = wire.SenderCorpId is not { Length: > 0 } sender || wire.ChatbotCorpId is not { Length: > 0 } robot || sender == robot;
            var staffId = ours ? wire.SenderStaffId ?? "" : "";
            message = new ChatbotMessage(
                wire.MsgId, wire.ConversationId, wire.ConversationType, staffId, wire.SenderNick ?? staffId,
                wire.SenderId, wire.ChatbotUserId, wire.RobotCode ?? "", wire.Msgtype ?? "", wire.Text?.Content ?? "",
                wire.SessionWebhook,
                wire.SessionWebhookExpiredTime is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null)
            {
                MentionedStaffIds = [.. (wire.AtUsers ?? []).Select(a => a?.StaffId).OfType<string>().Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).Take(100)],
            };
            return true;
        }
        catch (JsonException e)
        {
            error = e.Message;
            return false;
        }
    }

    private sealed record Wire(
        string? MsgId,
        string? ConversationId,
        string? ConversationType,
        string? SenderStaffId,
        string? SenderNick,
        string? SenderId,
        string? ChatbotUserId,
        string? RobotCode,
        string? Msgtype,
        WireText? Text,
        string? SessionWebhook,
        long? SessionWebhookExpiredTime,
        List<WireAtUser?>? AtUsers,
        string? SenderCorpId = null,
        string? ChatbotCorpId = null);

    private sealed record WireText(string? Content);

    private sealed record WireAtUser(string? DingtalkId, string? StaffId);
}
