using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Events;

/// <summary>
/// Events about the leader Lease, named by their caller: the ledgers the replicas share (used callback signatures, used
/// approvals) live there, in the release namespace, and rely on the API server refusing a second create of a name.
/// </summary>
internal static class LeaseEvents
{
    /// <summary>A DNS-subdomain name from <paramref name="key"/>'s hash (never the key itself: a signature is a credential).</summary>
    public static string NameOf(string prefix, string key) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];

    /// <returns>True when created; false when an Event of that name exists already.</returns>
    public static async Task<bool> TryCreateAsync(
        IKubernetes client, KubernetesOptions options, ILeadership leadership, string name, string reason, string message, string fieldManager, DateTime at,
        CancellationToken cancellationToken)
    {
        var election = options.LeaderElection;
        var lease = new V1ObjectReference
        {
            ApiVersion = "coordination.k8s.io/v1", Kind = "Lease", Name = election.LeaseName, NamespaceProperty = election.Namespace,
        };
        var record = ProductEvent.Create(name, lease, reason, message, "Normal", options.Events.Component, leadership.Identity, at);
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(record, election.Namespace, fieldManager: fieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Is(HttpStatusCode.Conflict))
        {
            return false;
        }
    }
}
