using k8s.LeaderElection;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// The elector's lease lock, telling when a write of the lease as its holder (acquire or renew) succeeded and when
/// that write was sent. The send time is what counts: the other replicas time the lease from when they saw the write,
/// which is after it was sent, however late its answer comes back here (a paused or starved process reads it late).
/// </summary>
internal sealed class RenewalTrackingLock(ILock inner, TimeProvider time, Action<DateTimeOffset> renewed) : ILock
{
    public string Identity => inner.Identity;

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) => inner.GetAsync(cancellationToken);

    public async Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        var sent = time.GetUtcNow();
        return Held(record, sent, await inner.CreateAsync(record, cancellationToken).ConfigureAwait(false));
    }

    public async Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default)
    {
        var sent = time.GetUtcNow();
        return Held(record, sent, await inner.UpdateAsync(record, cancellationToken).ConfigureAwait(false));
    }

    public string Describe() => inner.Describe();

    private bool Held(LeaderElectionRecord record, DateTimeOffset sent, bool written)
    {
        if (written && record.HolderIdentity == inner.Identity)
        {
            renewed(sent);
        }

        return written;
    }
}
