using System.Globalization;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Which of its pods a ReplicaSet deletes when it has too many, as upstream's getPodsToDelete sorts them
/// (ActivePodsWithRanks in pkg/controller/controller_utils.go; 1.32 has PodDeletionCost and LogarithmicScaleDown on):
/// unassigned before assigned; Pending before Unknown before Running; not ready before ready; a lower
/// <c>controller.kubernetes.io/pod-deletion-cost</c> first; more pods of the same Deployment on its node first; more
/// recently ready first; more restarts first; newer first. Ready and creation times compare by the power of two of
/// their age in nanoseconds, so pods of about the same age tie, and a tie goes by uid.
/// </summary>
internal static class PodDeletionOrder
{
    public const string DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

    /// <param name="pods">The ReplicaSet's active pods.</param>
    /// <param name="related">The active pods of every ReplicaSet of the same Deployment (getIndirectlyRelatedPods; none
    /// for a ReplicaSet without an owner): a pod's rank is how many of them share its node.</param>
    public static IEnumerable<PodState> PodsToDelete(IReadOnlyList<PodState> pods, IEnumerable<PodState> related, int count, DateTimeOffset now)
    {
        if (count <= 0)
        {
            return [];
        }

        var onNode = related.GroupBy(p => p.NodeName ?? "").ToDictionary(g => g.Key, g => g.Count());
        return pods.Order(new Ranking(onNode, now)).Take(count);
    }

    /// <summary>
    /// GetDeletionCostFromPodAnnotations: a 32-bit integer without a plus sign or leading zeros; anything else (or
    /// none) costs 0.
    /// </summary>
    public static int DeletionCost(string? value) => TryDeletionCost(value, out var cost) ? cost : 0;

    /// <summary>Whether <paramref name="value"/> is a deletion cost GetDeletionCostFromPodAnnotations accepts.</summary>
    public static bool TryDeletionCost(string? value, out int cost)
    {
        cost = 0;
        var validFirst = value is { Length: > 0 } && (value[0] == '-' || value == "0" || value[0] is >= '1' and <= '9');
        return validFirst && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out cost);
    }

    // ActivePodsWithRanks.Less as a comparison: negative when x goes before y.
    private sealed class Ranking(Dictionary<string, int> onNode, DateTimeOffset now) : IComparer<PodState>
    {
        public int Compare(PodState? x, PodState? y)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            if (x.Bound != y.Bound)
            {
                return x.Bound ? 1 : -1;
            }

            if (Phase(x) != Phase(y))
            {
                return Phase(x).CompareTo(Phase(y));
            }

            if (x.Ready != y.Ready)
            {
                return x.Ready ? 1 : -1;
            }

            if (x.DeletionCost != y.DeletionCost)
            {
                return x.DeletionCost.CompareTo(y.DeletionCost);
            }

            var (rankX, rankY) = (onNode.GetValueOrDefault(x.NodeName ?? ""), onNode.GetValueOrDefault(y.NodeName ?? ""));
            if (rankX != rankY)
            {
                return rankY.CompareTo(rankX); // doubled up goes first
            }

            if (x.Ready && y.Ready && x.ReadySince != y.ReadySince)
            {
                return NewerFirst(x.ReadySince, y.ReadySince, x, y);
            }

            if (x.Restarts != y.Restarts)
            {
                return y.Restarts.CompareTo(x.Restarts);
            }

            var (createdX, createdY) = (Timestamps.Parse(x.Created), Timestamps.Parse(y.Created));
            return createdX != createdY ? NewerFirst(createdX, createdY, x, y) : string.CompareOrdinal(x.Uid, y.Uid); // upstream leaves this tie unordered
        }

        // podPhaseToOrdinal; a phase it lacks reads as 0, like Pending.
        private static int Phase(PodState pod) => pod.Phase switch
        {
            "Unknown" => 1,
            "Running" => 2,
            _ => 0,
        };

        // afterOrZero for a missing time, else logarithmicRankDiff, then the uid.
        private int NewerFirst(DateTimeOffset? a, DateTimeOffset? b, PodState x, PodState y)
        {
            if (a is not { } first || b is not { } second)
            {
                return a is null ? -1 : 1;
            }

            var diff = AgeBucket(first).CompareTo(AgeBucket(second));
            return diff != 0 ? diff : string.CompareOrdinal(x.Uid, y.Uid);
        }

        // int64(math.Log2(float64(now - t))) in nanoseconds; -1 when t is not in the past.
        private long AgeBucket(DateTimeOffset t)
        {
            var nanoseconds = (now - t).Ticks * 100.0;
            return nanoseconds > 0 ? (long)Math.Log2(nanoseconds) : -1;
        }
    }
}
