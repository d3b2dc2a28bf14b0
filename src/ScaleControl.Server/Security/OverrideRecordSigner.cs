using System.Globalization;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Security;

/// <summary>
/// Signs override records (<see cref="OverrideRecords"/>) with the approval signing key (<see cref="ApprovalSigner"/>):
/// HMAC-SHA256 over every field of the record and where it is kept (the policy's namespace and name, the record's id).
/// Whoever may edit the policy can write annotations, but not a record that verifies: one written by hand, copied to
/// another policy or id, edited afterwards, signed with a retired key, or written before records were signed does not.
/// </summary>
public sealed class OverrideRecordSigner(ApprovalSigner signer)
{
    /// <summary><paramref name="record"/>, to be kept on <paramref name="policy"/> under its id, with its signature.</summary>
    public OverrideRecord Sign(ScalePolicy policy, OverrideRecord record) => record with { Signature = signer.Hmac(Payload(policy, record)) };

    /// <summary>Whether ScaleControl wrote <paramref name="record"/> as it is, on <paramref name="policy"/>, under its id.</summary>
    public bool Verifies(ScalePolicy policy, OverrideRecord record) => signer.Matches(record.Signature, Payload(policy, record));

    /// <summary>A JSON array: a message or reason may hold any character, a separator included.</summary>
    private static string Payload(ScalePolicy policy, OverrideRecord record) => JsonSerializer.Serialize<string?[]>(
        [
            "scalecontrol-override-v1",
            policy.Metadata.Namespace,
            policy.Metadata.Name,
            record.Id,
            record.Time.UtcTicks.ToString(CultureInfo.InvariantCulture),
            record.Kind,
            record.Workload,
            record.By,
            record.Channel.ToString(),
            record.Message,
            record.Reason,
        ]);
}
