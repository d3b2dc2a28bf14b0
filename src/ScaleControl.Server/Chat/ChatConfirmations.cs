using System.Collections.Concurrent;
using System.Security.Cryptography;
using ScaleControl.Core.Commands;

namespace ScaleControl.Server.Chat;

/// <summary>A risky command waiting for <c>confirm &lt;code&gt;</c>, and who may confirm it.</summary>
/// <param name="OtherApprover">Two-person rule: another approver of the policy (not the sender) must confirm.</param>
public sealed record PendingConfirmation(string Code, CommandRequest Request, IReadOnlyList<string> Approvers, bool OtherApprover, DateTimeOffset ExpiresAt);

/// <summary>Risky chat commands held until confirmed (5 minutes, single use, bounded).</summary>
public sealed class ChatConfirmations(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const int Capacity = 1000;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly ConcurrentDictionary<string, PendingConfirmation> _pending = new(StringComparer.Ordinal);

    public PendingConfirmation Hold(CommandRequest request, IReadOnlyList<string> approvers, bool otherApprover)
    {
        var now = time.GetUtcNow();
        if (_pending.Count >= Capacity)
        {
            foreach (var stale in _pending.Where(p => p.Value.ExpiresAt <= now).Select(p => p.Key).ToList())
            {
                _pending.TryRemove(stale, out _);
            }
        }

        var code = new string(RandomNumberGenerator.GetItems<char>(Alphabet, 6));
        var pending = new PendingConfirmation(code, request, approvers, otherApprover, now + Lifetime);
        _pending[code] = pending;
        return pending;
    }

    /// <summary>The live pending command, not yet taken.</summary>
    public PendingConfirmation? Find(string code) =>
        _pending.TryGetValue(code, out var pending) && pending.ExpiresAt > time.GetUtcNow() ? pending : null;

    /// <summary>Takes it once: of two confirmations at the same moment only one runs the command.</summary>
    public bool TryTake(PendingConfirmation pending) => _pending.TryRemove(new KeyValuePair<string, PendingConfirmation>(pending.Code, pending));
}
