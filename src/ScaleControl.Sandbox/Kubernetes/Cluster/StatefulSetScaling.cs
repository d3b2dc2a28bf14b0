namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Which of a StatefulSet's pods one controller pass creates and deletes, as 1.32's updateStatefulSet
/// (pkg/controller/statefulset/stateful_set_control.go). OrderedReady is "monotonic": it walks the ordinals from 0 and
/// stops at the first pod it creates, or that is terminating, not Running and Ready, or not yet available for
/// minReadySeconds. Only when every pod in range is healthy does it delete a surplus one: the highest ordinal, one a
/// pass, waiting while one terminates. Parallel creates every missing pod and deletes every surplus one at once. A pod
/// in range that finished (phase Failed or Succeeded) is deleted and created again in the same pass, as a missing one.
/// </summary>
internal static class StatefulSetScaling
{
    /// <param name="byOrdinal">The pods by ordinal, terminating ones too (as upstream, which does not filter them).</param>
    /// <param name="startReady">How many of the first pods created start ready (a seeded cluster had them already).</param>
    public static StatefulSetScalingPlan Plan(
        int replicas, bool parallel, int minReadySeconds, DateTimeOffset now, IReadOnlyDictionary<int, PodState> byOrdinal, int startReady)
    {
        var create = new List<int>();
        var recreate = new List<PodState>();
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            var finished = byOrdinal.TryGetValue(ordinal, out var pod) && pod.HasFinished && !pod.Terminating;
            if (finished)
            {
                recreate.Add(pod!); // processReplica: "Delete and recreate pods which finished running", then create it
            }

            if (pod is null || finished)
            {
                create.Add(ordinal);
                if (!parallel && create.Count > startReady)
                {
                    return new(create, [], Blocked: true, recreate); // "if the set does not allow bursting, return immediately"
                }
            }
            else if (!parallel && !IsRunningAndAvailable(pod, minReadySeconds, now))
            {
                return new(create, [], Blocked: true, recreate);
            }
        }

        var condemned = byOrdinal.Where(kv => kv.Key >= replicas).OrderByDescending(kv => kv.Key).Select(kv => kv.Value).ToList();
        if (parallel)
        {
            return new(create, [.. condemned.Where(p => !p.Terminating)], Blocked: false, recreate);
        }

        // Every pod in range is healthy here. The first unhealthy pod is then the lowest surplus one, and only it may
        // go out of order; an unhealthy one above it blocks the scale-down, as upstream.
        var firstUnhealthy = condemned.LastOrDefault(p => !IsHealthy(p));
        if (condemned.FirstOrDefault() is not { } highest)
        {
            return new(create, [], Blocked: false, recreate);
        }

        var waits = highest.Terminating || (!IsRunningAndAvailable(highest, minReadySeconds, now) && highest != firstUnhealthy);
        return new(create, waits ? [] : [highest], Blocked: true, recreate);
    }

    // isHealthy: Running and Ready, not terminating.
    private static bool IsHealthy(PodState pod) => pod.Phase == "Running" && pod.Ready && !pod.Terminating;

    // processReplica's checks: terminating, isRunningAndReady, isRunningAndAvailable.
    private static bool IsRunningAndAvailable(PodState pod, int minReadySeconds, DateTimeOffset now) =>
        IsHealthy(pod) && pod.IsAvailable(minReadySeconds, now);
}

/// <summary>
/// The pods to create (by ordinal) and delete this pass; Blocked when OrderedReady stopped there, so the rolling update
/// waits for a later pass. Recreate: pods in range that finished (Failed or Succeeded), deleted before their ordinal
/// is created again (it is in Create too).
/// </summary>
internal sealed record StatefulSetScalingPlan(List<int> Create, List<PodState> Delete, bool Blocked, List<PodState> Recreate);
