using ScaleControl.Core.Policies;
using ScaleControl.Server.Control.Overrides;

namespace ScaleControl.Server.Api;

/// <summary>
/// Whether a policy moved since a client read it only by status writes. The control loop writes a policy's status every
/// few seconds, and each write moves its resourceVersion, so a read-modify-write by a person would meet a 409 it has
/// nothing to resolve. A spec change (freeze, pin, another edit) moves <c>metadata.generation</c>; labels and
/// annotations do not, so they are compared with what the client sends (override records aside, which only come with a
/// spec change). The status is the store's to keep in any case.
/// </summary>
public static class StatusOnlyMove
{
    public static bool Since(ScalePolicy sent, ScalePolicy current) =>
        sent.Metadata.Generation is { } generation
        && current.Metadata.Generation == generation
        && (sent.Metadata.Uid is null || sent.Metadata.Uid == current.Metadata.Uid)
        && SameEntries(Entries(sent.Metadata.Labels), Entries(current.Metadata.Labels))
        && SameEntries(Entries(sent.Metadata.Annotations).Where(NotARecord), Entries(current.Metadata.Annotations).Where(NotARecord));

    private static IEnumerable<KeyValuePair<string, string>> Entries(IReadOnlyDictionary<string, string>? map) => map ?? new Dictionary<string, string>();

    private static bool NotARecord(KeyValuePair<string, string> annotation) => !annotation.Key.StartsWith(OverrideRecords.AnnotationPrefix, StringComparison.Ordinal);

    private static bool SameEntries(IEnumerable<KeyValuePair<string, string>> a, IEnumerable<KeyValuePair<string, string>> b) =>
        a.OrderBy(e => e.Key, StringComparer.Ordinal).SequenceEqual(b.OrderBy(e => e.Key, StringComparer.Ordinal));
}
