namespace ScaleControl.Core.Policies;

/// <summary>
/// Who follows whom (<c>spec.follow</c>): a workload follows at most one leader; a chain must end at a workload sized
/// by metrics. Workloads are keyed <c>namespace/Kind/name</c>.
/// </summary>
public static class FollowGraph
{
    public static string TargetKey(ScalePolicy policy) => $"{policy.Metadata.Namespace}/{policy.Spec.Target.Kind}/{policy.Spec.Target.Name}";

    /// <summary>The followed workload's key, or null for a policy sized by metrics.</summary>
    public static string? LeaderKey(ScalePolicy policy) =>
        policy.Spec.Follow is { } follow ? KeyOf(follow.LeaderKey(policy.Metadata.Namespace), follow.Kind) : null;

    public static bool FollowsItself(ScalePolicy policy) => LeaderKey(policy) == TargetKey(policy);

    /// <summary>
    /// The cycle <paramref name="candidate"/> would close among <paramref name="existing"/> (it replaces a stored policy
    /// of the same name), as workloads "a → b → a"; null when there is none.
    /// </summary>
    public static string? CycleWith(IEnumerable<ScalePolicy> existing, ScalePolicy candidate)
    {
        var policies = existing.Where(p => p.Key != candidate.Key).Append(candidate).ToList();
        var edges = Edges(policies);
        var start = TargetKey(candidate);
        var path = new List<string> { start };
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var at = start;
        while (edges.TryGetValue(at, out var next))
        {
            path.Add(next);
            if (next == start)
            {
                return string.Join(" → ", path.Select(Display));
            }

            if (!seen.Add(next))
            {
                return null; // a cycle further along that does not pass through the candidate: reported for its own policies
            }

            at = next;
        }

        return null;
    }

    /// <summary>Policies ordered so that a leader comes before its followers; policies in a cycle keep their place at the end.</summary>
    public static IReadOnlyList<ScalePolicy> LeadersFirst(IReadOnlyList<ScalePolicy> policies)
    {
        if (policies.All(p => p.Spec.Follow is null))
        {
            return policies;
        }

        var byTarget = policies.GroupBy(TargetKey, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var ordered = new List<ScalePolicy>(policies.Count);
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);

        void Place(ScalePolicy policy)
        {
            if (placed.Contains(policy.Key) || !visiting.Add(policy.Key))
            {
                return; // done, or a cycle: the loop reports it on the policy and does not recurse forever
            }

            if (LeaderKey(policy) is { } leader && byTarget.TryGetValue(leader, out var leaders))
            {
                leaders.ForEach(Place);
            }

            visiting.Remove(policy.Key);
            if (placed.Add(policy.Key))
            {
                ordered.Add(policy);
            }
        }

        foreach (var policy in policies)
        {
            Place(policy);
        }

        return ordered;
    }

    /// <summary>Follower workload → leader workload.</summary>
    private static Dictionary<string, string> Edges(IEnumerable<ScalePolicy> policies)
    {
        var edges = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (LeaderKey(policy) is { } leader)
            {
                edges.TryAdd(TargetKey(policy), leader);
            }
        }

        return edges;
    }

    private static string KeyOf(string namespacedName, string kind)
    {
        var slash = namespacedName.IndexOf('/');
        return $"{namespacedName[..slash]}/{kind}/{namespacedName[(slash + 1)..]}";
    }

    /// <summary>"feed/Deployment/gateway" → "feed/gateway".</summary>
    private static string Display(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 3 ? $"{parts[0]}/{parts[2]}" : key;
    }
}
