using System.Net;
using k8s.Autorest;
using k8s.LeaderElection;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// Tells why the Lease cannot be read. The elector treats any failed read other than 404 as "not acquired" and says
/// nothing, so a replica without the RBAC for its Lease (the chart's Role not bound, another namespace) would never
/// lead, silently. The failure is passed on unchanged.
/// </summary>
internal sealed class ReadFailureReportingLock(ILock inner, Action<string> readFailed) : ILock
{
    public string Identity => inner.Identity;

    public async Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (!ex.Is(HttpStatusCode.NotFound))
        {
            readFailed(ex.Describe());
            throw;
        }
    }

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => inner.CreateAsync(record, cancellationToken);

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

    public string Describe() => inner.Describe();
}
