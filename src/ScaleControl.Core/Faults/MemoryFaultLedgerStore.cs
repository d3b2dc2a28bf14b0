using ScaleControl.Core.Ports;

namespace ScaleControl.Core.Faults;

/// <summary>The fault ledger kept in this process only: right for a single replica, which never hands over.</summary>
public sealed class MemoryFaultLedgerStore : IFaultLedgerStore
{
    private volatile IReadOnlyList<FaultRecord> _faults = [];

    public Task<IReadOnlyList<FaultRecord>> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(_faults);

    public Task SaveAsync(IReadOnlyList<FaultRecord> faults, CancellationToken cancellationToken)
    {
        _faults = faults;
        return Task.CompletedTask;
    }
}
