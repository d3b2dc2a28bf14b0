using System.Security.Cryptography;
using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Chat;

/// <summary>A risky command waiting for <c>confirm &lt;code&gt;</c> (typed, or the card's Confirm), and who may confirm it.</summary>
/// <param name="OtherApprover">Two-person rule: another approver of the policy (not the sender) must confirm.</param>
/// <param name="Policy">The policy it is stored on (<c>namespace/name</c>).</param>
/// <param name="Signature">ScaleControl's seal over all of it and where it is kept (<see cref="ChatConfirmationSigner"/>).</param>
/// <param name="OutsideBounds">
/// It was held because it leaves the policy's bounds: confirming it is the explicit "outside the bounds". A command held
/// for another risk does not get that leave when the bounds move past it before it is confirmed.
/// </param>
public sealed record PendingConfirmation(
    string Code, CommandRequest Request, IReadOnlyList<string> Approvers, bool OtherApprover, DateTimeOffset ExpiresAt, string Policy = "", string? Signature = null,
    bool OutsideBounds = false);

/// <summary>
/// Risky chat commands held until confirmed (5 minutes, single use, at most <see cref="MaxPerPolicy"/> per policy).
/// They are stored where the product keeps its state: as an annotation on the policy they concern
/// (<c>confirm.chat.scalecontrol.io/&lt;code&gt;</c>), written conditionally, so a confirmation survives a restart or a
/// change of leader, and of two confirmations at the same moment only the one whose write removes it runs the command.
/// Only what ScaleControl stored counts: an annotation that does not verify (<see cref="ChatConfirmationSigner"/>) —
/// written by hand with kubectl, copied to another policy or code — is not a confirmation: it is never found, taken,
/// expired or counted, and the next write to the policy's confirmations removes it.
/// </summary>
public sealed partial class ChatConfirmations(IPolicyStore policies, ChatConfirmationSigner signer, TimeProvider time, ILogger<ChatConfirmations> logger)
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
        CommandRequest request, ScalePolicy policy, IReadOnlyList<string> approvers, bool otherApprover, CancellationToken cancellationToken, bool outsideBounds = false)
    {
        var now = time.GetUtcNow();
        var code = new string(RandomNumberGenerator.GetItems<char>(Alphabet, 6));
        var pending = signer.Sign(policy, new PendingConfirmation(code, request, approvers, otherApprover, now + Lifetime, policy.Key, OutsideBounds: outsideBounds));
        var stored = await ChangeAsync(policy.Metadata.Namespace, policy.Metadata.Name, current =>
        {
            // Counted among the verified ones only: forged entries cannot fill the policy and block real commands.
            if (Verified(current).Count(p => p.ExpiresAt > now) >= MaxPerPolicy)
            {
                return null;
            }

            var live = Live(current, now);
            live[AnnotationPrefix + code] = JsonSerializer.Serialize(pending, s_json);
            return live;
        }, cancellationToken);
        return stored ? pending : null;
    }

    /// <summary>The live pending command, not yet taken; one that does not verify is as if it did not exist.</summary>
    public async Task<PendingConfirmation?> FindAsync(string code, CancellationToken cancellationToken)
    {
        var key = AnnotationPrefix + code;
        var now = time.GetUtcNow();
        foreach (var policy in await policies.ListAsync(null, cancellationToken))
        {
            if (policy.Metadata.Annotations?.GetValueOrDefault(key) is not { } json)
            {
                continue;
            }

            if (Read(json) is not { } pending || !signer.Verifies(policy, key, pending))
            {
                LogNotVerified(logger, code, policy.Key);
                continue; // a real one of that code may be stored on another policy
            }

            if (pending.ExpiresAt > now)
            {
                return pending with { Policy = policy.Key };
            }
        }

        return null;
    }

    /// <summary>The stored confirmations of <paramref name="all"/> that expired unconfirmed (their cards still show Confirm).</summary>
    public IEnumerable<PendingConfirmation> Expired(IEnumerable<ScalePolicy> all, DateTimeOffset now) =>
        all.SelectMany(Verified).Where(p => p.ExpiresAt <= now);

    /// <summary>
    /// Takes it once: the conditional write that removes it decides which of two confirmations runs the command. Only
    /// the very confirmation that was found is taken: one forged under its code after a real confirm took it is not.
    /// </summary>
    public Task<bool> TryTakeAsync(PendingConfirmation pending, CancellationToken cancellationToken)
    {
        var slash = pending.Policy.IndexOf('/');
        return ChangeAsync(pending.Policy[..slash], pending.Policy[(slash + 1)..], current =>
        {
            if (!Verified(current).Any(p => p.Code == pending.Code && p.Signature == pending.Signature))
            {
                return null;
            }

            var live = Live(current, time.GetUtcNow());
            live.Remove(AnnotationPrefix + pending.Code);
            return live;
        }, cancellationToken);
    }

    /// <summary>Read-modify-write of the policy's annotations; <paramref name="change"/> returns null to write nothing.</summary>
    private async Task<bool> ChangeAsync(
        string @namespace, string name, Func<ScalePolicy, Dictionary<string, string>?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (await policies.GetAsync(@namespace, name, cancellationToken) is not { } policy || change(policy) is not { } annotations)
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

    /// <summary>The confirmations ScaleControl stored on <paramref name="policy"/> (forged, copied, edited or unreadable ones left out).</summary>
    private IEnumerable<PendingConfirmation> Verified(ScalePolicy policy) =>
        from annotation in policy.Metadata.Annotations ?? new Dictionary<string, string>()
        where annotation.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal)
        let pending = Read(annotation.Value)
        where pending is not null && signer.Verifies(policy, annotation.Key, pending)
        select pending with { Policy = policy.Key };

    /// <summary>
    /// The annotations without the confirmations expired longer than <see cref="ExpiredKept"/> ago nor those that do not
    /// verify (pruned on every write).
    /// </summary>
    private Dictionary<string, string> Live(ScalePolicy policy, DateTimeOffset now)
    {
        var kept = Verified(policy).Where(p => p.ExpiresAt > now - ExpiredKept).Select(p => AnnotationPrefix + p.Code).ToHashSet(StringComparer.Ordinal);
        return (policy.Metadata.Annotations ?? new Dictionary<string, string>())
            .Where(a => !a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) || kept.Contains(a.Key))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
    }

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

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning,
        Message = "confirm {Code}: the confirmation stored under that code on {Policy} was not written by ScaleControl as it stands (its signature does not verify); ignored as if it did not exist")]
    private static partial void LogNotVerified(ILogger logger, string code, string policy);
}
