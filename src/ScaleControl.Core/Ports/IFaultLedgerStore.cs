using ScaleControl.Core.Faults;

namespace ScaleControl.Core.Ports;

/// <summary>
/// Where the leader keeps its fault ledger (<see cref="FaultLedger"/>), so that the next leader goes on with the same
/// living notices. Best-effort: a store that cannot be reached leaves the ledger in the leader's memory.
/// </summary>
public interface IFaultLedgerStore
{
    Task<IReadOnlyList<FaultRecord>> LoadAsync(CancellationToken cancellationToken);

    Task SaveAsync(IReadOnlyList<FaultRecord> faults, CancellationToken cancellationToken);
}
