namespace ScaleControl.Core.Policies;

/// <summary>
/// One workload, one controller. Two policies naming the same workload (same namespace, kind and name) would each
/// decide and scale it every tick and flap it between their answers; the HPA refuses an ambiguous selector and KEDA a
/// second ScaledObject for the same reason. The oldest policy (creationTimestamp, then name) keeps the workload; the
/// loop holds the others, and the API refuses to create one more.
/// </summary>
public static class TargetOwnership
{
    public const string ConditionType = "TargetConflict";
    public const string ConditionReason = "WorkloadOwnedByAnotherPolicy";

    /// <summary>Whether both policies name the same workload.</summary>
    public static bool SameTarget(ScalePolicy a, ScalePolicy b) =>
        string.Equals(a.Metadata.Namespace, b.Metadata.Namespace, StringComparison.Ordinal)
        && string.Equals(a.Spec.Target.Kind, b.Spec.Target.Kind, StringComparison.Ordinal)
        && string.Equals(a.Spec.Target.Name, b.Spec.Target.Name, StringComparison.Ordinal);

    /// <summary>
    /// The policy that controls <paramref name="policy"/>'s workload: the oldest of those naming it, itself included.
    /// A policy not stored yet (no creationTimestamp) comes after every stored one.
    /// </summary>
    public static ScalePolicy OwnerOf(ScalePolicy policy, IEnumerable<ScalePolicy> policies) =>
        Oldest(policies.Where(p => p.Key != policy.Key && SameTarget(p, policy)).Append(policy))!;

    /// <summary>The oldest of <paramref name="policies"/> (creationTimestamp, then name); null when there are none.</summary>
    public static ScalePolicy? Oldest(IEnumerable<ScalePolicy> policies) =>
        policies.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    /// <summary>The policy that holds <paramref name="policy"/> back from its workload, or null when it controls it.</summary>
    public static ScalePolicy? HeldBy(ScalePolicy policy, IEnumerable<ScalePolicy> policies) =>
        OwnerOf(policy, policies) is var owner && owner.Key != policy.Key ? owner : null;

    /// <summary>
    /// Every policy that does not control its workload, keyed by policy (<c>namespace/name</c>), with the one that
    /// does. One pass over the list: the loop asks this every tick.
    /// </summary>
    public static IReadOnlyDictionary<string, ScalePolicy> Held(IEnumerable<ScalePolicy> policies)
    {
        var held = new Dictionary<string, ScalePolicy>(StringComparer.Ordinal);
        foreach (var sharing in policies.GroupBy(p => (p.Metadata.Namespace, p.Spec.Target.Kind, p.Spec.Target.Name)).Where(g => g.Skip(1).Any()))
        {
            var owner = Oldest(sharing)!;
            foreach (var other in sharing.Where(p => p.Key != owner.Key))
            {
                held[other.Key] = owner;
            }
        }

        return held;
    }

    /// <summary>What the held policy's status says, naming the policy that controls the workload and what to do.</summary>
    public static string Problem(ScalePolicy held, ScalePolicy owner) =>
        $"{Workload(held)} is controlled by ScalePolicy {owner.Key} (the oldest policy naming it), so ScaleControl does not act on "
        + $"{held.Key}: two policies on one workload would fight over its replicas. Delete one of them or point this one at another workload";

    /// <summary>Why the API refuses to store <paramref name="candidate"/>: another policy already controls its workload.</summary>
    public static string Refusal(ScalePolicy candidate, ScalePolicy owner) =>
        $"{Workload(candidate)} is already controlled by ScalePolicy {owner.Key}; two policies on one workload would fight over its replicas. "
        + $"Change {owner.Key} instead, or delete it first";

    private static string Workload(ScalePolicy policy) => $"{policy.Spec.Target.Kind} {policy.Metadata.Namespace}/{policy.Spec.Target.Name}";
}
