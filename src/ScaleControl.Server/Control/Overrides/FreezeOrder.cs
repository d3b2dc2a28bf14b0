using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>
/// Whether a freeze's record was written for this order (duration and reason). The same <c>Idempotency-Key</c> sent with
/// another body is another request, not a retry: answered "already carried out", the caller believed a 6000 s freeze
/// was set while the 60 s one stood (the IETF draft's 422 for a key reused with a different payload).
/// </summary>
internal static partial class FreezeOrder
{
    /// <summary>
    /// The record's reason is the order's; its duration is read back from the message it was written with
    /// (<c>frozen until 2026-12-07 18:11:20Z by …</c>, from the record's time), to the second the message keeps.
    /// </summary>
    public static bool Matches(OverrideRecord done, int durationSeconds, string reason)
    {
        if (!string.Equals(done.Reason, reason, StringComparison.Ordinal))
        {
            return false;
        }

        if (Until().Match(done.Message) is not { Success: true } until
            || !DateTimeOffset.TryParseExact(until.Groups["until"].Value, "yyyy'-'MM'-'dd HH':'mm':'ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var at))
        {
            // A message of another shape cannot tell the duration: the reason matched, so it is taken as the retry.
            return true;
        }

        // The message cuts the end to the second, and the record's time is taken after the freeze's (later still after a
        // write conflict): a few seconds either way are the same order.
        var lasted = (at - done.Time).TotalSeconds;
        return lasted > durationSeconds - 5 && lasted <= durationSeconds + 1;
    }

    [GeneratedRegex(@"^(?:frozen until|freeze extended to|freeze shortened to) (?<until>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}Z) by ", RegexOptions.CultureInvariant)]
    private static partial Regex Until();
}
