using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Sandbox.DingTalk.Robots;
using ScaleControl.Sandbox.DingTalk.Stream;

namespace ScaleControl.Sandbox.DingTalk.Chat;

/// <summary>
/// What DingTalk does when a person types to a robot: in a group only a message that @-mentions the robot is
/// delivered, in a one-to-one chat every message is. The message goes as a CALLBACK frame on
/// <c>/v1.0/im/bot/messages/get</c> to one subscribed connection of the app, with a fresh session webhook to answer
/// through; a push nobody ACKs is pushed again (same messageId) up to <see cref="DingTalkSandboxOptions.RobotMessageMaxPushes"/> times.
/// </summary>
public sealed partial class RobotChatDelivery(
    SandboxDirectory directory,
    StreamGateway gateway,
    ChatSessionStore sessions,
    MessageLog log,
    ChangeFeed changes,
    DingTalkSandboxOptions options,
    TimeProvider time,
    ILogger<RobotChatDelivery> logger)
{
    public const int MaxTextLength = 4000;
    private const int Capacity = 1000;

    private readonly ConcurrentQueue<RobotPush> _pushes = new();

    public IReadOnlyList<RobotPush> Pushes => [.. _pushes];

    /// <summary>Records what the person typed, delivers it when the rules say so and returns after the first push's ACK (or timeout).</summary>
    /// <param name="sessionBase">The emulator's base URL as the caller reached it: session webhooks live under it.</param>
    public async Task<RobotPush> SendAsync(SandboxUser from, SandboxGroup? group, string text, string sessionBase)
    {
        var now = time.GetUtcNow();
        var app = group is null ? directory.Apps.First() : MentionedRobot(group, text);
        var msgId = "msg" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        log.Add(new SandboxMessage(msgId, MessageKind.UserMessage, now, from.UserId, group?.OpenConversationId,
            group is null ? [app!.RobotCode] : [], "text", null, text, MessageIds.Parse("{}"))
        {
            ConversationType = group is null ? "1" : "2",
            ChatUser = group is null ? from.UserId : null,
        });
        var conversationId = group?.OpenConversationId ?? OneToOneConversationId(app!, from);
        if (app is null)
        {
            return Remember(new RobotPush(msgId, null, null, from.UserId, conversationId, RobotPushStatus.NotMentioned, now));
        }

        var session = sessions.Open(app, from.UserId, group, now);
        var data = Payload(app, from, group, conversationId, msgId, text, session, sessionBase, now);
        var push = Remember(new RobotPush(msgId, NewMessageId(), app.AppKey, from.UserId, conversationId, RobotPushStatus.Pending, now) { Data = data });
        var firstAttempt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = DeliverAsync(push, firstAttempt);
        await firstAttempt.Task;
        return push;
    }

    /// <summary>The group robot whose name the text @-mentions, or null (DingTalk does not deliver the message).</summary>
    private SandboxApp? MentionedRobot(SandboxGroup group, string text) =>
        group.Robots.Select(directory.FindAppByRobotCode).OfType<SandboxApp>()
            .FirstOrDefault(a => text.Contains("@" + a.Name, StringComparison.OrdinalIgnoreCase));

    private async Task DeliverAsync(RobotPush push, TaskCompletionSource firstAttempt)
    {
        try
        {
            for (var attempt = 1; attempt <= options.RobotMessageMaxPushes; attempt++)
            {
                if (await PushOnceAsync(push))
                {
                    return;
                }

                changes.Publish();
                firstAttempt.TrySetResult();
                if (attempt < options.RobotMessageMaxPushes)
                {
                    await Task.Delay(options.RobotMessageRedeliveryInterval, time);
                }
            }

            push.Status = push.Status == RobotPushStatus.NoConnection ? RobotPushStatus.NoConnection : RobotPushStatus.GivenUp;
        }
        finally
        {
            changes.Publish();
            firstAttempt.TrySetResult();
        }
    }

    /// <summary>
    /// One push: to a connection of the app; a connection that ACKs with a non-200 code did not handle it (another
    /// ScaleControl instance's message, handed back), so it goes on at once to a connection not tried yet — as taps do.
    /// No ACK at all, or every connection handing it back, leaves it for the next push after the redelivery interval.
    /// </summary>
    private async Task<bool> PushOnceAsync(RobotPush push)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        push.Status = RobotPushStatus.NoConnection;
        while (gateway.Pick(push.AppKey!, "CALLBACK", StreamTopics.BotMessage, tried) is { } connection)
        {
            tried.Add(connection.ConnectionId);
            push.Pushes++;
            var frame = gateway.NewFrame(connection, "CALLBACK", StreamTopics.BotMessage, push.Data!, push.MessageId);
            var ack = await gateway.SendAndAwaitAckAsync(connection, frame, options.CallbackTimeout);
            if (ack is { Code: 200 })
            {
                push.Status = RobotPushStatus.Acked;
                push.AckedBy = connection.ConnectionId;
                return true;
            }

            push.Status = ack is null ? RobotPushStatus.NotAcked : RobotPushStatus.HandedBack;
            LogNotAcked(logger, push.MsgId, push.Pushes);
            if (ack is null)
            {
                return false;
            }
        }

        return false;
    }

    private string Payload(SandboxApp app, SandboxUser from, SandboxGroup? group, string conversationId, string msgId, string text,
        ChatSession session, string sessionBase, DateTimeOffset now)
    {
        var chatbotUserId = OpaqueId(app.RobotCode);
        var data = new JsonObject { ["conversationId"] = conversationId };
        if (group is not null)
        {
            var atUsers = new JsonArray { new JsonObject { ["dingtalkId"] = chatbotUserId } };
            foreach (var member in MentionedMembers(group, text))
            {
                atUsers.Add(new JsonObject { ["dingtalkId"] = OpaqueId(member.UserId), ["staffId"] = member.UserId });
            }

            data["atUsers"] = atUsers;
        }

        data["chatbotCorpId"] = app.CorpId;
        data["chatbotUserId"] = chatbotUserId;
        data["msgId"] = msgId;
        data["senderNick"] = from.Name;
        data["isAdmin"] = false;
        data["senderStaffId"] = from.UserId;
        data["sessionWebhookExpiredTime"] = session.ExpiresAt.ToUnixTimeMilliseconds();
        data["createAt"] = now.ToUnixTimeMilliseconds();
        data["senderCorpId"] = app.CorpId;
        data["conversationType"] = group is null ? "1" : "2";
        data["senderId"] = OpaqueId(from.UserId);
        if (group is not null)
        {
            data["conversationTitle"] = group.Name;
            data["isInAtList"] = true;
        }

        data["sessionWebhook"] = $"{sessionBase}/robot/sendBySession?session={session.Id}";
        data["text"] = new JsonObject { ["content"] = AsDingTalkShowsIt(app, group, text) };
        data["robotCode"] = app.RobotCode;
        data["msgtype"] = "text";
        return data.ToJsonString();
    }

    /// <summary>
    /// The text as the robot receives it: DingTalk removes the robot's @-mention (often leaving a leading space) and shows
    /// another person's as <c>@</c> and their name, which may hold spaces (<c>@李四 Li Si</c>). Typed here, <c>@lisi</c>
    /// (a group member's userId) stands for picking that person in the phone's @ list.
    /// </summary>
    private string AsDingTalkShowsIt(SandboxApp app, SandboxGroup? group, string text)
    {
        var shown = text.Replace("@" + app.Name, "", StringComparison.OrdinalIgnoreCase);
        foreach (var member in group is null ? [] : MentionedMembers(group, text))
        {
            shown = Regex.Replace(
                shown, "@" + Regex.Escape(member.UserId) + @"(?![\w.-])", "@" + member.Name.Replace("$", "$$", StringComparison.Ordinal));
        }

        return shown;
    }

    /// <summary>Group members @-mentioned by userId in the typed text.</summary>
    private IEnumerable<SandboxUser> MentionedMembers(SandboxGroup group, string text) =>
        group.Members.Select(m => directory.FindUser(m)).OfType<SandboxUser>()
            .Where(u => Regex.IsMatch(text, "@" + Regex.Escape(u.UserId) + @"(?![\w.-])"));

    /// <summary>DingTalk's opaque <c>$:LWCP_v1:$…</c> ids (senderId, chatbotUserId): stable per person/robot, not the userId.</summary>
    public static string OpaqueId(string seed) =>
        "$:LWCP_v1:$" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("lwcp:" + seed))[..24]);

    public static string OneToOneConversationId(SandboxApp app, SandboxUser user) =>
        "cid" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"oto:{app.AppKey}:{user.UserId}"))[..16]);

    private RobotPush Remember(RobotPush push)
    {
        _pushes.Enqueue(push);
        while (_pushes.Count > Capacity && _pushes.TryDequeue(out _))
        {
        }

        return push;
    }

    private string NewMessageId() =>
        $"{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}_{time.GetUtcNow().ToUnixTimeMilliseconds():x}_{Random.Shared.Next(0x10000, 0xfffff):x}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Robot message {MsgId} not ACKed after push {Pushes}")]
    private static partial void LogNotAcked(ILogger logger, string msgId, int pushes);
}

[JsonConverter(typeof(JsonStringEnumConverter<RobotPushStatus>))]
public enum RobotPushStatus
{
    Pending,
    Acked,
    NotAcked,

    /// <summary>Every connection answered with a non-200 ACK (none handled it, e.g. another ScaleControl instance's chat).</summary>
    HandedBack,
    NoConnection,
    GivenUp,

    /// <summary>A group message that does not @-mention a robot: DingTalk does not deliver it.</summary>
    NotMentioned,
}

/// <summary>One person's message to a robot and its delivery over Stream.</summary>
public sealed class RobotPush(string msgId, string? messageId, string? appKey, string from, string conversationId, RobotPushStatus status, DateTimeOffset at)
{
    public string MsgId { get; } = msgId;
    public string? MessageId { get; } = messageId;
    public string? AppKey { get; } = appKey;
    public string From { get; } = from;
    public string ConversationId { get; } = conversationId;
    public DateTimeOffset At { get; } = at;
    public RobotPushStatus Status { get; set; } = status;
    public int Pushes { get; set; }
    public string? AckedBy { get; set; }

    /// <summary>The ChatbotMessage JSON string pushed as the frame's <c>data</c>.</summary>
    public string? Data { get; init; }
}
