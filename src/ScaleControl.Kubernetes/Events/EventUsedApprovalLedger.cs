using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Events;

/// <summary>
/// The used approvals, kept as core/v1 Events next to the leader Lease (in the release namespace, where whoever writes
/// ScaleProposals in an application namespace has no say): one Event per approval an apply used, named after the hash of
/// its seal. Read before every scale write (at the write's priority: it waits on it), created when the apply ends.
/// The API server drops Events after its event TTL (1 h by default), long after an approval stops counting
/// (<c>MaxApprovalAgeSeconds</c>, 15 min by default). No RBAC beyond get and create of Events there.
/// </summary>
public sealed partial class EventUsedApprovalLedger(
    IKubernetes client, KubernetesOptions options, ILeadership leadership, ILogger<EventUsedApprovalLedger> logger) : IUsedApprovalLedger
{
    public const string Reason = "ApprovalUsed";

    public async Task<DateTimeOffset?> UsedAtAsync(string seal, CancellationToken cancellationToken)
    {
        try
        {
            var record = await client.CoreV1.ReadNamespacedEventAsync(NameOf(seal), options.LeaderElection.Namespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return record.FirstTimestamp is { } first ? new DateTimeOffset(DateTime.SpecifyKind(first, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        }
        catch (HttpOperationException e) when (e.Is(HttpStatusCode.NotFound))
        {
            return null;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException($"cannot read whether an approval was used before (Event {NameOf(seal)} in {options.LeaderElection.Namespace}): {e.Message}", e);
        }
    }

    public async Task RecordAsync(string seal, string proposal, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            // False: recorded already, by the apply this one resumed.
            await LeaseEvents.TryCreateAsync(
                client, options, leadership, NameOf(seal), Reason,
                $"An approval of ScaleProposal {proposal} was used by an apply on {leadership.Identity}; it is not used again.",
                RequestClassifier.UsedApprovalFieldManager, at.UtcDateTime, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The apply is over; unrecorded, a status rewound to Approved could apply the same count again.
            LogNotRecorded(logger, e, proposal);
        }
    }

    public static string NameOf(string seal) => LeaseEvents.NameOf(RequestClassifier.UsedApprovalEventPrefix, seal);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Could not record that the approvals of proposal {Proposal} were used")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string proposal);
}
