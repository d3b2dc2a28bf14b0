using k8s.LeaderElection;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>The elector's lease lock, telling when a write of the lease as its holder (acquire or renew) succeeded.</summary>
internal sealed class RenewalTrackingLock(ILock inner, Action renewed) : ILock
{
    public string Identity => inner.Identity;

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => inner.GetAsync(cancellationToken);

    public async Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        Held(record, await inner.CreateAsync(record, cancellationToken).ConfigureAwait(false));

    public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        Held(record, await inner.UpdateAsync(record, cancellationToken).ConfigureAwait(false));

    public string Describe() => inner.Describe();

    private bool Held(LeaderElectionRecord record, bool written)
    {
        if (written && record.HolderIdentity == inner.Identity)
        {
            renewed();
        }

        return written;
    }
}
