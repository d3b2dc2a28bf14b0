using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Control;

/// <summary>The store's side of <see cref="TargetOwnership"/>: the rule judged against the policies of the namespace as the store has them.</summary>
public static class PolicyOwnership
{
    /// <summary>The policy that holds <paramref name="policy"/> off its workload, or null when it controls it.</summary>
    public static async Task<ScalePolicy?> HeldByAsync(this IPolicyStore store, ScalePolicy policy, CancellationToken cancellationToken) =>
        TargetOwnership.HeldBy(policy, await store.ListAsync(policy.Metadata.Namespace, cancellationToken));
}
