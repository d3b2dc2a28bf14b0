namespace ScaleControl.Core.Ports;

/// <summary>
/// Where the replicas of one ScaleControl agree that a single-use credential (a DingTalk HTTP callback's signature) was
/// used. Each replica also remembers what it accepted itself; this ledger is what stops a replay sent to another
/// replica. One replica needs none (<see cref="ProcessOnlyReplayLedger"/>).
/// </summary>
public interface ICallbackReplayLedger
{
    /// <summary>
    /// True when no replica used <paramref name="key"/> before; false when one did. Throws when it cannot tell (the
    /// caller refuses the request: fail closed).
    /// </summary>
    Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken);
}

/// <summary>One process: its own memory (the verifier's replay guard) is the whole ledger.</summary>
public sealed class ProcessOnlyReplayLedger : ICallbackReplayLedger
{
    public Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken) => Task.FromResult(true);
}
