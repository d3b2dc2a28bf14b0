using System.Collections.Concurrent;
using ScaleControl.Core.Pods;
using ScaleControl.Core.Ports;

namespace ScaleControl.Server.Control.Queries;

/// <summary>
/// Why a workload's READY is below CURRENT, read on demand for a status (the API, the dashboard, chat), never by the
/// loop: one bounded pod list per workload, kept for <see cref="MaxAge"/> while its counts stay the same (the dashboard
/// polls every 1.5 s) and at most <see cref="MaxConcurrentReads"/> lists at a time, whatever the number of policies.
/// </summary>
public sealed class NotReadyPodsReader(IWorkloadPods pods, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    public const int MaxConcurrentReads = 4;

    private readonly ConcurrentDictionary<WorkloadRef, Entry> _recent = new();
    private readonly SemaphoreSlim _reads = new(MaxConcurrentReads, MaxConcurrentReads);

    /// <summary>The summary, or null when all pods are ready (or the counts are unknown): nothing to explain.</summary>
    public async Task<NotReadyPods?> ExplainAsync(WorkloadRef target, int? current, int? ready, CancellationToken cancellationToken)
    {
        if (current is not { } asked || ready is not { } seen || seen >= asked)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (_recent.TryGetValue(target, out var kept) && kept.Current == asked && kept.Ready == seen && now - kept.At < MaxAge)
        {
            return kept.Summary;
        }

        await _reads.WaitAsync(cancellationToken);
        try
        {
            var summary = NotReadyPods.Of(await pods.ListAsync(target, NotReadyPods.MaxPodsRead, cancellationToken), asked);
            Forget(now);
            _recent[target] = new Entry(time.GetUtcNow(), asked, seen, summary);
            return summary;
        }
        finally
        {
            _reads.Release();
        }
    }

    /// <summary>Drops summaries past their age, so workloads no longer shown (or all ready again) hold no memory.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, entry) in _recent)
        {
            if (now - entry.At >= MaxAge)
            {
                _recent.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private sealed record Entry(DateTimeOffset At, int Current, int Ready, NotReadyPods Summary);
}
