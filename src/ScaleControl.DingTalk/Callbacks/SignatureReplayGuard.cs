using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// DingTalk's callback signature covers only the timestamp, not the body: a captured header pair would verify with
/// any body until the clock-skew window closes. So a signature vouches for the first body it arrived with; the same
/// signature with another body within the window is refused (the same body again is a harmless duplicate the
/// approval rules already count once). Residual risk, stated in docs/security.md: per process only (a replay sent to
/// another replica is stopped only by the window), and two genuine taps signed in the same millisecond share a
/// signature, so the second is refused and its tapper taps again. Stream mode has none of this.
/// </summary>
public sealed class SignatureReplayGuard(TimeProvider time)
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, (string Body, DateTimeOffset Until)> _seen = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="signature"/> is new or came with this same body before; false for another body.</summary>
    public bool Accept(string signature, string body, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        if (_seen.Count >= MaxRemembered)
        {
            foreach (var (key, old) in _seen)
            {
                if (old.Until <= now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }

        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var entry = _seen.GetOrAdd(signature, (hash, until));
        return entry.Body == hash || entry.Until <= now;
    }
}
