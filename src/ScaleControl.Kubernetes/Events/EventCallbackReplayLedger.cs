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
/// The replicas' shared memory of used DingTalk callback signatures: claiming one creates a core/v1 Event named after
/// the signature's hash next to the leader Lease, and the API server refuses a second create of that name (409), so a
/// signature replayed to another replica is refused there too. One create per HTTP tap, no new RBAC (the product
/// already creates Events), and nothing to clean up: the API server drops Events after its event TTL (1 h by default),
/// long after the 5-minute window in which a signature verifies at all. A tap waits on the create, so the client-side
/// limiter gives it the priority of the approval write that follows, not that of a best-effort Event.
/// </summary>
public sealed class EventCallbackReplayLedger(IKubernetes client, KubernetesOptions options, ILeadership leadership, TimeProvider time) : ICallbackReplayLedger
{
    public const string Reason = "CallbackSignatureUsed";

    public async Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken)
    {
        var election = options.LeaderElection;
        var lease = new V1ObjectReference
        {
            ApiVersion = "coordination.k8s.io/v1", Kind = "Lease", Name = election.LeaseName, NamespaceProperty = election.Namespace,
        };
        var claim = ProductEvent.Create(
            NameOf(key), lease, Reason,
            $"A DingTalk HTTP card callback with this signature was accepted by {leadership.Identity}; every replica refuses it again.",
            "Normal", options.Events.Component, leadership.Identity, time.GetUtcNow().UtcDateTime);
        try
        {
            await client.CoreV1.CreateNamespacedEventAsync(
                claim, election.Namespace, fieldManager: RequestClassifier.CallbackClaimFieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Is(HttpStatusCode.Conflict))
        {
            return false;
        }
    }

    /// <summary>A DNS-subdomain name from the signature (never the signature itself: it is a credential for 5 minutes).</summary>
    public static string NameOf(string key) =>
        "scalecontrol-callback-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
}
