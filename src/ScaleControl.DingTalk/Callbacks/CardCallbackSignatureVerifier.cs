using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Api;
using ScaleControl.DingTalk.Configuration;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// Checks the <c>x-ddpaas-signature</c> headers of an HTTP card callback against the registered api secret and
/// rejects timestamps far from our clock (a captured request cannot be replayed later).
/// </summary>
public sealed class CardCallbackSignatureVerifier(IOptionsMonitor<DingTalkOptions> options, TimeProvider timeProvider, SignatureReplayGuard replays)
{
    public const string SignatureHeader = "x-ddpaas-signature";
    public const string TimestampHeader = "x-ddpaas-signature-timestamp";

    private static readonly long MaxTimestamp = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Null when the request is authentic; otherwise why it is not.</summary>
    public string? Verify(string? timestamp, string? signature)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrEmpty(settings.CallbackApiSecret))
        {
            return "no callback api secret is configured, so no callback can be authenticated";
        }

        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return $"missing {SignatureHeader} or {TimestampHeader}";
        }

        // Up to year 9999 in milliseconds: anything longer is not a timestamp (and would overflow the conversion below).
        if (timestamp.Length > 14 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > MaxTimestamp)
        {
            return "the signature timestamp is not a Unix time";
        }

        var expected = DingTalkSignatures.CardCallback(settings.CallbackApiSecret, timestamp);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return "the signature does not match";
        }

        // The unit is not documented: milliseconds (the examples), or seconds for small values.
        var signedAt = value < 100_000_000_000 ? DateTimeOffset.FromUnixTimeSeconds(value) : DateTimeOffset.FromUnixTimeMilliseconds(value);
        var skew = (timeProvider.GetUtcNow() - signedAt).Duration();
        if (skew > settings.CallbackMaxClockSkew)
        {
            return $"the signature timestamp is {skew.TotalSeconds:0} s away from our clock";
        }

        return replays.Accept(signature, signedAt + settings.CallbackMaxClockSkew)
            ? null
            : "the signature was already used (a replayed request)";
    }
}
