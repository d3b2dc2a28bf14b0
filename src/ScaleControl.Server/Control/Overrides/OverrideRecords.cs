using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// An override that is not a scale action (a freeze, an unfreeze, an unpin, an expected event or its cancellation):
/// when, who, through which channel, what and why. Pins are scale actions and live on ScaleProposals.
/// </summary>
/// <param name="Id">Its key on the policy (<see cref="OverrideRecords.IdFor"/>): the same request again finds it.</param>
/// <param name="Kind">Frozen, Unfrozen, Unpinned, Prepared or Unprepared.</param>
/// <param name="Reason">The operator's <c>--reason</c>, when one was given.</param>
/// <param name="Signature">Its seal (<see cref="OverrideRecordSigner"/>): only a record that verifies is taken as fact.</param>
public sealed record OverrideRecord(
    string Id, DateTimeOffset Time, string Kind, string Workload, string By, ApprovalChannel Channel, string Message, string? Reason = null, string? Signature = null);

/// <summary>
/// A policy's override records, kept where the product keeps its state: annotations on the ScalePolicy
/// (<c>override.scalecontrol.io/&lt;id&gt;</c>, one JSON record each) written in the same conditional write as the
/// override itself, so no override is in force unrecorded and no record tells of one that was not written. Every
/// replica reads them from its policy cache, and they outlive restarts and leader changes. Retention as for
/// ScaleProposals, applied at each write: records older than <c>MaxAgeDays</c> go, and all but the newest
/// <c>MaxPerPolicy</c> (at most <see cref="MostKept"/>: a policy's annotations are limited to 256 KiB in all).
/// Whoever may edit the policy can write these annotations too, so each record is signed (<see cref="OverrideRecordSigner"/>):
/// the history marks one that does not verify, and a request finds only a verified record of itself.
/// </summary>
public static class OverrideRecords
{
    public const string AnnotationPrefix = "override.scalecontrol.io/";

    /// <summary>At most this many records per policy, whatever <c>MaxPerPolicy</c> says: a record can be ~2.5 KB (two reasons).</summary>
    public const int MostKept = 40;

    /// <summary>The longest idempotency key taken; a longer one is refused rather than cut (two keys must not meet).</summary>
    public const int MaxRequestKeyLength = 256;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// The record's id: from the caller's request key (the REST <c>Idempotency-Key</c>, a chat message's id) and who sent
    /// it, so a retried request finds what its first try wrote (two people's keys never meet); random without a key.
    /// </summary>
    public static string IdFor(string user, string? requestKey) =>
        requestKey is null
            ? RandomNumberGenerator.GetHexString(20, lowercase: true)
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{user}\n{requestKey}")))[..20];

    /// <summary>The records on <paramref name="policy"/>, in no particular order; one that cannot be read (edited by hand) is skipped.</summary>
    public static IEnumerable<OverrideRecord> Of(ScalePolicy policy) =>
        from annotation in policy.Metadata.Annotations ?? new Dictionary<string, string>()
        where annotation.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal)
        let record = Read(annotation.Value)
        where record is not null
        select record with { Id = annotation.Key[AnnotationPrefix.Length..] };

    /// <summary>
    /// The record of id <paramref name="id"/> when ScaleControl wrote it (it verifies): one written by hand under that id
    /// must not answer a request "already done" that was never done (the request is carried out and its record replaces it).
    /// </summary>
    public static OverrideRecord? Find(ScalePolicy policy, string id, OverrideRecordSigner signer) =>
        policy.Metadata.Annotations?.GetValueOrDefault(AnnotationPrefix + id) is { } json && Read(json) is { } stored
        && stored with { Id = id } is var record && signer.Verifies(policy, record)
            ? record
            : null;

    /// <summary>
    /// The annotations of <paramref name="policy"/> with <paramref name="record"/> added and the records retention drops
    /// removed. Verified records rank before the rest for the count, so records written by hand (with times of their
    /// choosing) cannot make retention drop ScaleControl's own.
    /// </summary>
    public static Dictionary<string, string> With(ScalePolicy policy, OverrideRecord record, OverrideRecordSigner signer, DateTimeOffset now, TimeSpan maxAge, int maxPerPolicy)
    {
        var all = new Dictionary<string, string>(policy.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [AnnotationPrefix + record.Id] = JsonSerializer.Serialize(record, s_json),
        };
        var kept = all
            .Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            .Select(a => (a.Key, Record: Read(a.Value) is { } read ? read with { Id = a.Key[AnnotationPrefix.Length..] } : null))
            .OrderByDescending(r => r.Record is { } k && signer.Verifies(policy, k))
            .ThenByDescending(r => r.Record?.Time ?? DateTimeOffset.MinValue)
            .ThenByDescending(r => r.Key, StringComparer.Ordinal)
            .Select((r, newer) => (r.Key, Keep: r.Record is { } k && k.Time >= now - maxAge && newer < Math.Min(maxPerPolicy, MostKept)))
            .ToList();
        foreach (var (key, _) in kept.Where(r => !r.Keep))
        {
            all.Remove(key);
        }

        return all;
    }

    /// <summary>
    /// The annotations of a policy written whole (a PUT, <c>scalectl policy apply</c>): those it was sent with, less any
    /// record (only ScaleControl writes them), plus the stored policy's records, so the file a person applies neither
    /// erases the history nor forges it. Null when there are none.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Kept(IReadOnlyDictionary<string, string>? sent, IReadOnlyDictionary<string, string>? stored)
    {
        var kept = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in sent ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            {
                kept[key] = value;
            }
        }

        foreach (var (key, value) in stored ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(AnnotationPrefix, StringComparison.Ordinal))
            {
                kept[key] = value;
            }
        }

        return kept.Count == 0 && sent is null ? null : kept;
    }

    private static OverrideRecord? Read(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<OverrideRecord>(json, s_json);
        }
        catch (JsonException)
        {
            return null; // hand-edited: not a record (and dropped at the next write)
        }
    }
}
