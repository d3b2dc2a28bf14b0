using System.Security.Cryptography;
using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Chat;

/// <summary>A risky command waiting for <c>confirm &lt;code&gt;</c> (typed, or the card's Confirm), and who may confirm it.</summary>
/// <param name="OtherApprover">Two-person rule: another approver of the policy (not the sender) must confirm.</param>
/// <param name="Policy">The policy it is stored on (<c>namespace/name</c>).</param>
public sealed record PendingConfirmation(string Code, CommandRequest Request, IReadOnlyList<string> Approvers, bool OtherApprover, DateTimeOffset ExpiresAt, string Policy = "");

/// <summary>
/// Risky chat commands held until confirmed (5 minutes, single use, at most <see cref="MaxPerPolicy"/> per policy).
/// They are stored where the product keeps its state: as an annotation on the policy they concern
/// (<c>confirm.chat.scalecontrol.io/&lt;code&gt;</c>), written conditionally, so a confirmation survives a restart or a
/// change of leader, and of two confirmations at the same moment only the one whose write removes it runs the command.
/// </summary>
public sealed class ChatConfirmations(IPolicyStore policies, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>An expired confirmation stays stored this long, so the loop can close its card (<see cref="ConfirmationExpiry"/>) before it is pruned.</summary>
    public static readonly TimeSpan ExpiredKept = TimeSpan.FromHours(1);
    public const string AnnotationPrefix = "confirm.chat.scalecontrol.io/";
    public const int MaxPerPolicy = 20;
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores the command on <paramref name="policy"/>; null when the policy already holds too many.</summary>
    public async Task<PendingConfirmation?> HoldAsync(
        CommandRequest request, ScalePolicy policy, IReadOnlyList<string> approvers, bool otherApprover, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var code = new string(RandomNumberGenerator.GetItems<char>(Alphabet, 6));
        var pending = new PendingConfirmation(code, request, approvers, otherApprover, now + Lifetime, policy.Key);
        var stored = await ChangeAsync(policy.Metadata.Namespace, policy.Metadata.Name, annotations =>
        {
            var live = Live(annotations, now);
            if (live.Count(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && Read(a.Value) is { } p && p.ExpiresAt > now) >= MaxPerPolicy)
            {
                return null;
            }

            live[AnnotationPrefix + code] = JsonSerializer.Serialize(pending, s_json);
            return live;
        }, cancellationToken);
        return stored ? pending : null;
    }

    /// <summary>The live pending command, not yet taken.</summary>
    public async Task<PendingConfirmation?> FindAsync(string code, CancellationToken cancellationToken)
    {
        var key = AnnotationPrefix + code;
        var now = time.GetUtcNow();
        foreach (var policy in await policies.ListAsync(null, cancellationToken))
        {
            if (policy.Metadata.Annotations?.GetValueOrDefault(key) is { } json && Read(json) is { } pending && pending.ExpiresAt > now)
            {
                return pending with { Policy = policy.Key };
            }
        }

        return null;
    }

    /// <summary>The stored confirmations of <paramref name="all"/> that expired unconfirmed (their cards still show Confirm).</summary>
    public static IEnumerable<PendingConfirmation> Expired(IEnumerable<ScalePolicy> all, DateTimeOffset now) =>
        from policy in all
        where policy.Metadata.Annotations is not null
        from annotation in policy.Metadata.Annotations!
        where annotation.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal)
        let pending = Read(annotation.Value)
        where pending is not null && pending.ExpiresAt <= now
        select pending with { Policy = policy.Key };

    /// <summary>Takes it once: the conditional write that removes it decides which of two confirmations runs the command.</summary>
    public Task<bool> TryTakeAsync(PendingConfirmation pending, CancellationToken cancellationToken)
    {
        var slash = pending.Policy.IndexOf('/');
        var key = AnnotationPrefix + pending.Code;
        return ChangeAsync(pending.Policy[..slash], pending.Policy[(slash + 1)..], annotations =>
        {
            if (annotations?.ContainsKey(key) != true)
            {
                return null;
            }

            var live = Live(annotations, time.GetUtcNow());
            live.Remove(key);
            return live;
        }, cancellationToken);
    }

    /// <summary>Read-modify-write of the policy's annotations; <paramref name="change"/> returns null to write nothing.</summary>
    private async Task<bool> ChangeAsync(
        string @namespace, string name, Func<IReadOnlyDictionary<string, string>?, Dictionary<string, string>?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await policies.GetAsync(@namespace, name, cancellationToken) is not { } policy || change(policy.Metadata.Annotations) is not { } annotations)
            {
                return false;
            }

            try
            {
                await policies.UpsertAsync(policy with { Metadata = policy.Metadata with { Annotations = annotations } }, cancellationToken);
                return true;
            }
            catch (ConcurrencyConflictException) when (attempt < 5)
            {
                // Changed under us (another confirmation, a spec edit): read again and decide on the new state.
            }
        }
    }

    /// <summary>The annotations without confirmations expired longer than <see cref="ExpiredKept"/> ago (pruned on every write).</summary>
    private static Dictionary<string, string> Live(IReadOnlyDictionary<string, string>? annotations, DateTimeOffset now) =>
        (annotations ?? new Dictionary<string, string>())
            .Where(a => !a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) || Read(a.Value) is { } p && p.ExpiresAt > now - ExpiredKept)
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    private static PendingConfirmation? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<PendingConfirmation>(json, s_json);
        }
        catch (JsonException)
        {
            return null; // hand-edited or from another version: not a confirmation anyone can use
        }
    }
}
