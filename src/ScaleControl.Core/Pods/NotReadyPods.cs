using System.Globalization;

namespace ScaleControl.Core.Pods;

/// <summary>Why a pod is not ready, most actionable first.</summary>
public enum NotReadyCause
{
    /// <summary>No node fits it: PodScheduled=False, reason Unschedulable (<c>kubectl get pods</c> shows Pending).</summary>
    Unschedulable,

    /// <summary>A container waits on something that will not pass by itself (ImagePullBackOff, CrashLoopBackOff…), or the pod is held from scheduling (SchedulingGated).</summary>
    Waiting,

    /// <summary>Scheduled (or about to be) and starting: containers being created, readiness not yet passed.</summary>
    Starting,

    /// <summary>Fewer pods exist than the workload asks for (the controller has not created them, e.g. a quota refused them).</summary>
    NotCreated,
}

/// <summary>Pods that are not ready for one reason; <see cref="Message"/> as the scheduler or kubelet wrote it (the most common one of the group).</summary>
public sealed record NotReadyGroup(NotReadyCause Cause, string Reason, int Pods, string? Message, string Text);

/// <summary>
/// Why READY is below CURRENT, from the pods one read found: groups by cause and reason, each with its line in words
/// ("3 of 12 pods Pending: 0/4 nodes are available: 4 Insufficient cpu. …"). Pure: the read is the adapters' job.
/// </summary>
public sealed record NotReadyPods(int Current, int PodsRead, bool Truncated, IReadOnlyList<NotReadyGroup> Groups, string? Problem)
{
    /// <summary>The most pods one status read lists per workload (one page): bounded work and memory whatever the workload's size.</summary>
    public const int MaxPodsRead = 100;

    /// <summary>Waiting reasons of a container that is on its way (not a problem yet).</summary>
    private static readonly HashSet<string> s_starting = new(["ContainerCreating", "PodInitializing"], StringComparer.Ordinal);

    /// <summary>The not-ready pods, summed over <see cref="Groups"/>.</summary>
    public int Pods => Groups.Sum(g => g.Pods);

    /// <summary>What a person reads: one line per group, then why the picture may be partial.</summary>
    public IReadOnlyList<string> Lines =>
    [
        .. Groups.Select(g => g.Text),
        .. Problem is { } problem ? [$"pods not read: {problem}"] : Array.Empty<string>(),
        .. Truncated ? [$"only the first {PodsRead} pods were read"] : Array.Empty<string>(),
    ];

    /// <summary>The summary of <paramref name="read"/> for a workload that asks for <paramref name="current"/> replicas.</summary>
    public static NotReadyPods Of(WorkloadPods read, int current)
    {
        var alive = read.Pods.Where(p => !p.Terminating).ToList();
        // A rollout runs more pods than the count (4 asked: 3 old and 2 new that never pull): "2 of 5", not "2 of 4".
        var of = Math.Max(current, alive.Count);
        var groups = alive.Where(p => !p.Ready)
            .Select(p => (Pod: p, Key: Classify(p)))
            .GroupBy(x => (x.Key.Cause, x.Key.Reason))
            .Select(g => Group(g.Key.Cause, g.Key.Reason, g.Count(), MostCommon(g.Select(x => x.Key.Message)), of))
            .ToList();

        // Terminating pods make no room for the count: only the live ones are compared with what the workload asks.
        var missing = current - alive.Count;
        if (missing > 0 && !read.Truncated && read.Problem is null)
        {
            groups.Add(Group(NotReadyCause.NotCreated, "NotCreated", missing, null, current));
        }

        return new NotReadyPods(
            current,
            read.Pods.Count,
            read.Truncated,
            [.. groups.OrderBy(g => g.Cause).ThenByDescending(g => g.Pods).ThenBy(g => g.Reason, StringComparer.Ordinal)],
            read.Problem);
    }

    private static (NotReadyCause Cause, string Reason, string? Message) Classify(PodFacts pod)
    {
        if (!pod.Bound && pod.NotScheduledReason is { } reason)
        {
            return (reason == "Unschedulable" ? NotReadyCause.Unschedulable : NotReadyCause.Waiting, reason, pod.NotScheduledMessage);
        }

        if (pod.Waiting.FirstOrDefault(w => !s_starting.Contains(w.Reason)) is { } stuck)
        {
            return (NotReadyCause.Waiting, stuck.Reason, stuck.Message);
        }

        return (NotReadyCause.Starting, "Starting", null);
    }

    private static NotReadyGroup Group(NotReadyCause cause, string reason, int pods, string? message, int current)
    {
        var count = string.Create(CultureInfo.InvariantCulture, $"{pods} of {current} {(current == 1 ? "pod" : "pods")}");
        var text = cause switch
        {
            NotReadyCause.Unschedulable => $"{count} Pending: {message ?? reason}",
            NotReadyCause.Waiting => message is null ? $"{count} {reason}" : $"{count} {reason}: {message}",
            NotReadyCause.Starting => $"{count} starting (not yet Ready)",
            _ => $"{count} not created yet (see the workload's events)",
        };
        return new NotReadyGroup(cause, reason, pods, message, text);
    }

    /// <summary>The message most pods of a group share (pods scheduled at different moments may read different counts).</summary>
    private static string? MostCommon(IEnumerable<string?> messages) =>
        messages.Where(m => !string.IsNullOrEmpty(m))
            .GroupBy(m => m, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .FirstOrDefault();
}
