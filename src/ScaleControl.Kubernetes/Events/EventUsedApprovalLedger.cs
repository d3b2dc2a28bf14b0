using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
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
        var election = options.LeaderElection;
        var lease = new V1ObjectReference
        {
            ApiVersion = "coordination.k8s.io/v1", Kind = "Lease", Name = election.LeaseName, NamespaceProperty = election.Namespace,
        };
        var record = ProductEvent.Create(
            NameOf(seal), lease, Reason,
            $"An approval of ScaleProposal {proposal} was used by an apply on {leadership.Identity}; it is not used again.",
            "Normal", options.Events.Component, leadership.Identity, at.UtcDateTime);
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(
                record, election.Namespace, fieldManager: RequestClassifier.UsedApprovalFieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Is(HttpStatusCode.Conflict))
        {
            // Recorded already (a resumed apply).
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The apply is over; unrecorded, a status rewound to Approved could apply the same count again.
            LogNotRecorded(logger, e, proposal);
        }
    }

    public static string NameOf(string seal) =>
        RequestClassifier.UsedApprovalEventPrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seal)))[..40];

    [LoggerMessage(EventId = 1503, Level = LogLevel.Warning, Message = "Could not record that the approvals of proposal {Proposal} were used")]
    private static partial void LogNotRecorded(ILogger logger, Exception exception, string proposal);
}
