namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// How the deployment controller sizes a Deployment's ReplicaSets in one sync, after upstream
/// pkg/controller/deployment: rolling.go (reconcileNewReplicaSet, reconcileOldReplicaSets,
/// cleanupUnhealthyReplicas, scaleDownOldReplicaSetsForRollingUpdate), recreate.go, and sync.go's scale() with
/// deployment/util's NewRSNewReplicas and GetProportion. Pure sizing: the caller writes the ReplicaSets.
/// </summary>
internal static class DeploymentRollout
{
    /// <summary>NewRSNewReplicas: how big the new ReplicaSet may be now (the surge over spec.replicas caps the total).</summary>
    public static int NewReplicas(DeploymentStrategy strategy, int desired, IEnumerable<ReplicaSetSize> all, int newReplicas)
    {
        if (strategy.Recreate)
        {
            return desired;
        }

        var maxTotal = desired + strategy.RawSurge(desired);
        var current = all.Sum(r => r.Replicas);
        return current >= maxTotal ? newReplicas : newReplicas + Math.Min(maxTotal - current, desired - newReplicas);
    }

    /// <summary>rolloutRolling: scale the new ReplicaSet up if it can; if not, the old ones down.</summary>
    public static void Rolling(DeploymentStrategy strategy, int desired, ReplicaSetSize newSet, List<ReplicaSetSize> oldSets)
    {
        if (!ReconcileNew(strategy, desired, newSet, oldSets))
        {
            ReconcileOld(strategy, desired, newSet, oldSets);
        }
    }

    /// <summary>
    /// rolloutRecreate: every old ReplicaSet to 0; the new one is scaled up only once no old pod is left.
    /// Returns whether the new ReplicaSet may be created or scaled up.
    /// </summary>
    public static bool RecreateOldGone(List<ReplicaSetSize> oldSets, bool oldPodsRunning)
    {
        var scaledDown = false;
        foreach (var old in oldSets.Where(r => r.Active))
        {
            scaledDown |= old.ScaleTo(0);
        }

        return !scaledDown && !oldPodsRunning;
    }

    /// <summary>isScalingEvent: an active ReplicaSet's desired-replicas annotation is not the Deployment's replicas.</summary>
    public static bool IsScalingEvent(int desired, IEnumerable<ReplicaSetSize> all) =>
        all.Any(r => r.Active && r.ReplicaSet.DesiredReplicas is { } annotated && annotated != desired);

    /// <summary>
    /// scale(): one active ReplicaSet (or none: the newest) takes the whole count; otherwise a rolling Deployment's
    /// replicas beyond (or short of) replicas + maxSurge are shared in proportion to each ReplicaSet's size.
    /// </summary>
    public static void Scale(DeploymentStrategy strategy, int desired, ReplicaSetSize? newSet, List<ReplicaSetSize> oldSets, int statusReplicas)
    {
        var active = oldSets.Append(newSet).OfType<ReplicaSetSize>().Where(r => r.Active).ToList();
        if (active.Count <= 1)
        {
            // Annotated even when the size is already right (upstream returns early), so the event ends here.
            var target = active.FirstOrDefault() ?? newSet ?? ReplicaSetSize.Oldest(oldSets).LastOrDefault();
            target?.ScaleAndAnnotate(desired);
            return;
        }

        if (newSet is not null && IsSaturated(desired, newSet))
        {
            foreach (var old in oldSets.Where(r => r.Active))
            {
                old.ScaleAndAnnotate(0);
            }

            return;
        }

        if (strategy.Recreate)
        {
            active.ForEach(r => r.ScaleAndAnnotate(r.Replicas)); // only annotated: the rollout scales them
            return;
        }

        var maxSurge = strategy.MaxSurge(desired);
        var allowed = desired > 0 ? desired + maxSurge : 0;
        var toAdd = allowed - active.Sum(r => r.Replicas);

        // Larger first; of equal size the newer first when scaling up, the older first when scaling down.
        var ordered = toAdd > 0
            ? [.. active.OrderByDescending(r => r.Replicas).ThenByDescending(r => r.ReplicaSet.Created, StringComparer.Ordinal)]
            : active.OrderByDescending(r => r.Replicas).ThenBy(r => r.ReplicaSet.Created, StringComparer.Ordinal).ToList();
        var sizes = new int[ordered.Count];
        var added = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var proportion = toAdd == 0 ? 0 : Proportion(ordered[i].Replicas, desired, desired + maxSurge, ordered[i].ReplicaSet.MaxReplicas, statusReplicas, toAdd, added);
            sizes[i] = ordered[i].Replicas + proportion;
            added += proportion;
        }

        if (toAdd != 0)
        {
            sizes[0] = Math.Max(0, sizes[0] + toAdd - added); // the leftovers go to the largest
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i].ScaleAndAnnotate(sizes[i]);
        }
    }

    // reconcileNewReplicaSet
    private static bool ReconcileNew(DeploymentStrategy strategy, int desired, ReplicaSetSize newSet, List<ReplicaSetSize> oldSets)
    {
        if (newSet.Replicas == desired)
        {
            return false;
        }

        return newSet.Replicas > desired
            ? newSet.ScaleTo(desired)
            : newSet.ScaleTo(NewReplicas(strategy, desired, oldSets.Append(newSet), newSet.Replicas));
    }

    // reconcileOldReplicaSets: never below replicas - maxUnavailable available pods, counting the new ReplicaSet's
    // unavailable ones as if they will not come up; unhealthy old pods go first.
    private static bool ReconcileOld(DeploymentStrategy strategy, int desired, ReplicaSetSize newSet, List<ReplicaSetSize> oldSets)
    {
        var activeOld = ReplicaSetSize.Oldest(oldSets.Where(r => r.Active)).ToList();
        if (activeOld.Sum(r => r.Replicas) == 0)
        {
            return false;
        }

        var minAvailable = desired - strategy.MaxUnavailable(desired);
        var newUnavailable = newSet.Replicas - newSet.Available;
        var maxScaledDown = activeOld.Sum(r => r.Replicas) + newSet.Replicas - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var cleaned = CleanupUnhealthy(activeOld, maxScaledDown);
        return cleaned + ScaleDownOld(newSet, activeOld, minAvailable) > 0;
    }

    // cleanupUnhealthyReplicas: old ReplicaSets' unavailable replicas, oldest ReplicaSet first.
    private static int CleanupUnhealthy(List<ReplicaSetSize> activeOld, int maxCleanup)
    {
        var total = 0;
        foreach (var old in activeOld)
        {
            if (total >= maxCleanup)
            {
                break;
            }

            if (old.Replicas == 0 || old.Replicas == old.Available)
            {
                continue;
            }

            var count = Math.Min(maxCleanup - total, old.Replicas - old.Available);
            old.ScaleTo(old.Replicas - count);
            total += count;
        }

        return total;
    }

    // scaleDownOldReplicaSetsForRollingUpdate: as many as are available beyond the minimum, oldest ReplicaSet first.
    private static int ScaleDownOld(ReplicaSetSize newSet, List<ReplicaSetSize> activeOld, int minAvailable)
    {
        var available = newSet.Available + activeOld.Sum(r => r.Available);
        if (available <= minAvailable)
        {
            return 0;
        }

        var toScaleDown = available - minAvailable;
        var total = 0;
        foreach (var old in activeOld)
        {
            if (total >= toScaleDown)
            {
                break;
            }

            if (old.Replicas == 0)
            {
                continue;
            }

            var count = Math.Min(old.Replicas, toScaleDown - total);
            old.ScaleTo(old.Replicas - count);
            total += count;
        }

        return total;
    }

    // IsSaturated: the new ReplicaSet has all the replicas, annotated so, all available.
    private static bool IsSaturated(int desired, ReplicaSetSize newSet) =>
        newSet.Replicas == desired && newSet.ReplicaSet.DesiredReplicas == desired && newSet.Available == desired;

    // GetProportion with getReplicaSetFraction: the share of the change this ReplicaSet's size earns, against the
    // max-replicas it was annotated with (or the Deployment's status.replicas), never beyond what is left to share.
    private static int Proportion(int replicas, int desired, int maxReplicas, int? annotatedMax, int statusReplicas, int toAdd, int added)
    {
        if (replicas == 0 || toAdd == added)
        {
            return 0;
        }

        int fraction;
        if (desired == 0)
        {
            fraction = -replicas;
        }
        else
        {
            var before = annotatedMax is > 0 ? annotatedMax.Value : statusReplicas;
            fraction = before == 0 ? 0 : (int)Math.Round(replicas * (double)maxReplicas / before, MidpointRounding.AwayFromZero) - replicas;
        }

        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }
}
