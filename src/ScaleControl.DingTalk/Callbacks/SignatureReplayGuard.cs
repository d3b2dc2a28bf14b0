using System.Collections.Concurrent;

namespace ScaleControl.DingTalk.Callbacks;

/// <summary>
/// DingTalk's callback signature covers only the timestamp, not the body: a captured header pair would verify with
/// any body until the clock-skew window closes. So a signature is good for one request: used again within the window,
/// with another body or the same one, it is refused. The same body again is no harmless duplicate: replayed later,
/// an "Approve all" tap would approve the rows a group card gained since. This is one process's memory;
/// across replicas the endpoint also claims the signature in the <see cref="Core.Ports.ICallbackReplayLedger"/>. Residual
/// risk, stated in docs/security.md: two genuine
/// taps signed in the same millisecond share a signature, so the second is refused and its tapper taps again; and
/// if DingTalk ever re-sent a callback, the resend is refused (the first was handled). Stream mode has none of this.
/// </summary>
public sealed class SignatureReplayGuard(TimeProvider time)
{
    private const int MaxRemembered = 100_000;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="signature"/> is seen (or once its last use has expired); false while it is remembered.</summary>
    public bool Accept(string signature, DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        if (_seen.Count >= MaxRemembered)
        {
            foreach (var (key, expires) in _seen)
            {
                if (expires <= now)
                {
                    _seen.TryRemove(key, out _);
                }
            }
        }

        var accepted = false;
        _seen.AddOrUpdate(
            signature,
            _ =>
            {
                accepted = true;
                return until;
            },
            (_, expires) =>
            {
                accepted = expires <= now;
                return accepted ? until : expires;
            });
        return accepted;
    }
}
