using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ScaleControl.Sandbox.DingTalk.Chat;

/// <summary>
/// The session webhooks handed out with robot chat messages: each message gets its own session, valid for
/// <see cref="DingTalkSandboxOptions.SessionWebhookLifetime"/>, that answers into the conversation it came from.
/// </summary>
public sealed class ChatSessionStore(DingTalkSandboxOptions options, TimeProvider time)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, ChatSession> _sessions = new(StringComparer.Ordinal);

    public ChatSession Open(SandboxApp app, string userId, SandboxGroup? group, DateTimeOffset now)
    {
        if (_sessions.Count >= Capacity)
        {
            foreach (var stale in _sessions.Where(s => s.Value.ExpiresAt <= now).Select(s => s.Key).ToList())
            {
                _sessions.TryRemove(stale, out _);
            }
        }

        var session = new ChatSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), app.AppKey, app.RobotCode, userId,
            group?.OpenConversationId, now + options.SessionWebhookLifetime);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The live session, or null when it is unknown or expired (DingTalk answers errcode 300001 to both).</summary>
    public ChatSession? Find(string? id) =>
        id is not null && _sessions.TryGetValue(id, out var session) && session.ExpiresAt > time.GetUtcNow() ? session : null;
}

/// <param name="OpenConversationId">The group, or null for a one-to-one chat with the robot.</param>
public sealed record ChatSession(string Id, string AppKey, string RobotCode, string UserId, string? OpenConversationId, DateTimeOffset ExpiresAt);
