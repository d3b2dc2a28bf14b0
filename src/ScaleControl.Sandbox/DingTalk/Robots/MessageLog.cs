using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleControl.Sandbox.DingTalk.Platform;

namespace ScaleControl.Sandbox.DingTalk.Robots;

/// <summary>
/// Everything robots sent (group, one-to-one, webhook), every DING and what people typed, in order, for the phone
/// page and assertions. With a state file, the messages kept there come back at start and each change is written
/// through.
/// </summary>
public sealed class MessageLog
{
    private readonly List<SandboxMessage> _messages;
    private readonly Lock _lock = new();
    private readonly ChangeFeed _changes;
    private readonly EmulatorStateFile _state;

    public MessageLog(ChangeFeed changes, EmulatorStateFile state)
    {
        _changes = changes;
        _state = state;
        _messages = [.. state.Messages.Select(json => JsonSerializer.Deserialize<SandboxMessage>(json, SandboxJson.Options)!)];
    }

    public IReadOnlyList<SandboxMessage> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    public SandboxMessage Add(SandboxMessage message)
    {
        lock (_lock)
        {
            _messages.Add(message);
            Keep(message);
        }

        _changes.Publish();
        return message;
    }

    public SandboxMessage? Find(string id)
    {
        lock (_lock)
        {
            return _messages.FirstOrDefault(m => m.Id == id);
        }
    }

    public void MarkRead(SandboxMessage message, string userId)
    {
        lock (_lock)
        {
            message.ReadBy = [.. message.ReadBy.Append(userId).Distinct(StringComparer.Ordinal)];
            Keep(message);
        }

        _changes.Publish();
    }

    public void MarkRecalled(SandboxMessage message, DateTimeOffset at)
    {
        lock (_lock)
        {
            message.RecalledAt = at;
            Keep(message);
        }

        _changes.Publish();
    }

    private void Keep(SandboxMessage message)
    {
        if (_state.IsDurable)
        {
            _state.PutMessage(message.Id, JsonSerializer.Serialize(message, SandboxJson.Options));
        }
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<MessageKind>))]
public enum MessageKind
{
    GroupMessage,
    OtoMessage,
    Webhook,
    Ding,

    /// <summary>A person typed into a chat (the group, or a one-to-one chat with a robot).</summary>
    UserMessage,

    /// <summary>A robot answered through the session webhook of a message it received.</summary>
    SessionReply,
}

/// <param name="Id">processQueryKey (robot messages), openDingId (DING) or a generated id (webhook).</param>
/// <param name="Sender">robotCode, or the webhook robot's access token.</param>
/// <param name="Type">msgKey (robot APIs), msgtype (webhook) or the DING remind type name.</param>
/// <param name="Content">msgParam / webhook body / DING request, parsed.</param>
/// <param name="Receivers">oto userIds or DING receivers; group messages: empty.</param>
public sealed record SandboxMessage(
    string Id,
    MessageKind Kind,
    DateTimeOffset At,
    string Sender,
    string? OpenConversationId,
    IReadOnlyList<string> Receivers,
    string Type,
    string? Title,
    string Text,
    JsonElement Content)
{
    public IReadOnlyList<string> AtUserIds { get; init; } = [];
    public bool AtAll { get; init; }
    public int? RemindType { get; init; }
    public IReadOnlyList<string> FlowControlled { get; init; } = [];
    public DateTimeOffset? RecalledAt { get; set; }

    /// <summary>Chat messages: "2" group, "1" one-to-one with the robot (then <see cref="ChatUser"/> is the person).</summary>
    public string? ConversationType { get; init; }

    public string? ChatUser { get; init; }

    /// <summary>Who has read it (read-status APIs); set through the script API.</summary>
    public IReadOnlyList<string> ReadBy { get; set; } = [];
}

internal static class MessageIds
{
    public static string New() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
