namespace ScaleControl.DingTalk.Stream;

/// <summary>1 s, doubling, ±20 % jitter, capped at 60 s (the official SDKs' reconnect policy, §4.6).</summary>
public sealed class ReconnectBackoff(TimeSpan? initial = null, TimeSpan? cap = null)
{
    private readonly TimeSpan _initial = initial ?? TimeSpan.FromSeconds(1);
    private readonly TimeSpan _cap = cap ?? TimeSpan.FromSeconds(60);
    private int _failures;

    public TimeSpan NextDelay()
    {
        var exponent = Math.Min(_failures++, 16);
        var nominal = Math.Min(_initial.TotalMilliseconds * Math.Pow(2, exponent), _cap.TotalMilliseconds);
        var jitter = 1 + ((Random.Shared.NextDouble() * 0.4) - 0.2);
        return TimeSpan.FromMilliseconds(Math.Min(nominal * jitter, _cap.TotalMilliseconds));
    }

    /// <summary>After a healthy connection the next failure starts from the initial delay again.</summary>
    public void Reset() => _failures = 0;
}
