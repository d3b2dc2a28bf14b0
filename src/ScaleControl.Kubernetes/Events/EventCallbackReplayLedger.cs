using k8s;
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

    public Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken) =>
        LeaseEvents.TryCreateAsync(
            client, options, leadership, NameOf(key), Reason,
            $"A DingTalk HTTP card callback with this signature was accepted by {leadership.Identity}; every replica refuses it again.",
            RequestClassifier.CallbackClaimFieldManager, time.GetUtcNow().UtcDateTime, cancellationToken);

    /// <summary>A DNS-subdomain name from the signature (never the signature itself: it is a credential for 5 minutes).</summary>
    public static string NameOf(string key) => LeaseEvents.NameOf("scalecontrol-callback-", key);
}
