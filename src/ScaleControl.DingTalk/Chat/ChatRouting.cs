using System.Text.RegularExpressions;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Chat;

/// <summary>
/// Which chat messages belong to this ScaleControl when several (one per cluster) share one robot over Stream, where
/// DingTalk pushes each message to any one connection of the app. A lone instance (no <see cref="DingTalkOptions.Instance"/>)
/// answers everything. A named instance answers a message that starts with its name and a colon (<c>staging: status</c>,
/// the prefix removed before the command is read), and an unprefixed message only in its own groups
/// (<see cref="DingTalkOptions.ChatConversationIds"/>, else its <see cref="DingTalkOptions.NoticeConversationId"/>).
/// Everything else — another instance's prefix, another group, a one-to-one chat without a prefix — is handed back
/// unanswered, so that DingTalk delivers it to another connection.
/// </summary>
public static partial class ChatRouting
{
    public static bool IsMine(ChatbotMessage message, DingTalkOptions options)
    {
        if (options.Instance is not { } instance)
        {
            return true;
        }

        if (Prefix().Match(message.Text) is { Success: true } addressed)
        {
            return addressed.Groups["name"].Value == instance;
        }

        return message.IsGroup && GroupsOf(options).Contains(message.ConversationId, StringComparer.Ordinal);
    }

    /// <summary>The command without this instance's prefix (the text unchanged when it has none).</summary>
    public static string CommandText(string text, DingTalkOptions options) =>
        options.Instance is { } instance && Prefix().Match(text) is { Success: true } m && m.Groups["name"].Value == instance
            ? text[m.Length..]
            : text;

    private static IEnumerable<string> GroupsOf(DingTalkOptions options) =>
        options.ChatConversationIds.Count > 0 ? options.ChatConversationIds
            : options.NoticeConversationId is { } notice ? [notice] : [];

    // The instance name rule (DingTalkOptionsValidator): lower-case letters, digits, '-'; then a colon (or the
    // full-width one a Chinese input mode types).
    [GeneratedRegex(@"^\s*(?<name>[a-z0-9-]{1,40})[:：]\s*")]
    private static partial Regex Prefix();
}
