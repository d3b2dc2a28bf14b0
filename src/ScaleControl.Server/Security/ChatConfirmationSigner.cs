using System.Globalization;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Chat;

namespace ScaleControl.Server.Security;

/// <summary>
/// Signs pending chat confirmations (<see cref="ChatConfirmations"/>) with the approval signing key
/// (<see cref="ApprovalSigner"/>): HMAC-SHA256 over the whole confirmation — its code, the command with who sent it,
/// who may confirm, the two-person flag, the expiry — and where it is kept (the policy's namespace and name, the
/// annotation's key). Whoever may edit the policy can write the annotation, but not a confirmation that verifies: one
/// written by hand, copied to another policy or code, edited afterwards, or signed with a retired key does not.
/// </summary>
public sealed class ChatConfirmationSigner(ApprovalSigner signer)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary><paramref name="pending"/>, to be kept on <paramref name="policy"/> under its code, with its signature.</summary>
    public PendingConfirmation Sign(ScalePolicy policy, PendingConfirmation pending) =>
        pending with { Signature = signer.Hmac(Payload(policy, ChatConfirmations.AnnotationPrefix + pending.Code, pending)) };

    /// <summary>Whether ScaleControl wrote <paramref name="pending"/> as it is, on <paramref name="policy"/>, under the annotation <paramref name="key"/>.</summary>
    public bool Verifies(ScalePolicy policy, string key, PendingConfirmation pending) => signer.Matches(pending.Signature, Payload(policy, key, pending));

    /// <summary>A JSON array: a command's reason may hold any character, a separator included.</summary>
    private static string Payload(ScalePolicy policy, string key, PendingConfirmation pending) => JsonSerializer.Serialize<string?[]>(
        [
            "scalecontrol-confirmation-v1",
            policy.Metadata.Namespace,
            policy.Metadata.Name,
            key,
            pending.Code,
            JsonSerializer.Serialize(pending.Request, s_json), // the command (by type) and who sent it, as stored
            JsonSerializer.Serialize(pending.Approvers, s_json),
            pending.OtherApprover ? "other-approver" : "sender",
            pending.ExpiresAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            // Sealed when given, left out when not: confirmations held before it existed still verify.
            .. pending.OutsideBounds ? ["outside-bounds"] : Array.Empty<string?>(),
        ]);
}
