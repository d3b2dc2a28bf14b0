namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// Until when this replica may trust that it holds the lease: the renew deadline after the last renewal was sent.
/// The other replicas take the lease over no sooner than the lease duration after they saw that renewal, and they saw
/// it after it was sent; with the renew deadline shorter than the lease duration, this replica stops trusting its
/// lease before anyone else can hold it, whenever the renewal's answer reaches it.
/// </summary>
internal sealed class LeaseValidity(TimeSpan renewDeadline)
{
    private long _untilTicks;

    public void Renewed(DateTimeOffset sent) => Interlocked.Exchange(ref _untilTicks, (sent + renewDeadline).UtcTicks);

    public void Revoke() => Interlocked.Exchange(ref _untilTicks, 0);

    public bool HoldsAt(DateTimeOffset now) => now.UtcTicks < Interlocked.Read(ref _untilTicks);
}
