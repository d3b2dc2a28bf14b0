using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Events;

/// <summary>
/// core/v1 Events on the target workload, carrying its real uid, kind and namespace so that
/// <c>kubectl describe deployment</c> lists them. Best-effort: failures are logged, never thrown. Repeats of the same
/// (target, reason, message, type) within the dedupe window update the first Event's count and lastTimestamp, as
/// client-go's event correlator does, instead of creating a new object each time.
/// </summary>
public sealed partial class KubernetesEventRecorder(
    IKubernetes client,
    WorkloadCache workloads,
    KubernetesOptions options,
    ILeadership leadership,
    TimeProvider time,
    ILogger<KubernetesEventRecorder> logger) : IEventRecorder
{
    private readonly ConcurrentDictionary<string, Recorded> _recent = new(StringComparer.Ordinal);
    private long _sequence;

    public async Task RecordAsync(WorkloadRef target, string reason, string message, bool warning, CancellationToken cancellationToken)
    {
        try
        {
            await workloads.EnsureSyncedAsync(target, cancellationToken).ConfigureAwait(false);
            if (workloads.Find(target) is not { } workload)
            {
                LogNoTarget(logger, target.ToString(), reason);
                return;
            }

            var type = warning ? "Warning" : "Normal";
            var now = time.GetUtcNow();
            var key = string.Join('\u001f', workload.Metadata.Uid, reason, type, message);
            Prune(now);
            if (_recent.TryGetValue(key, out var previous) && now - previous.Last < Window)
            {
                var count = previous.Count + 1;
                _recent[key] = previous with { Count = count, Last = now };
                await BumpAsync(target.Namespace, previous.Name, count, now, cancellationToken).ConfigureAwait(false);
                return;
            }

            var name = $"{target.Name}.{Interlocked.Increment(ref _sequence):x}{now.ToUnixTimeMilliseconds() * 1_000_000:x}";
            _recent[key] = new Recorded(name, 1, now);
            await client.CoreV1.CreateNamespacedEventAsync(Build(name, workload, reason, message, type, now), target.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, target.ToString(), reason, ex);
        }
    }

    private TimeSpan Window => TimeSpan.FromSeconds(options.Events.DedupeWindowSeconds);

    private Corev1Event Build(string name, CachedWorkload workload, string reason, string message, string type, DateTimeOffset now) =>
        ProductEvent.Create(
            name,
            new V1ObjectReference
            {
                ApiVersion = workload.ApiVersion,
                Kind = workload.Kind,
                Name = workload.Metadata.Name,
                NamespaceProperty = workload.Metadata.NamespaceProperty,
                Uid = workload.Metadata.Uid,
                ResourceVersion = workload.Metadata.ResourceVersion,
            },
            reason, message, type, options.Events.Component, leadership.Identity, now.UtcDateTime);

    private async Task BumpAsync(string @namespace, string name, int count, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["count"] = count,
            ["lastTimestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        await client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private void Prune(DateTimeOffset now)
    {
        if (_recent.Count < 1024)
        {
            return;
        }

        foreach (var (key, recorded) in _recent)
        {
            if (now - recorded.Last >= Window)
            {
                _recent.TryRemove(key, out _);
            }
        }
    }

    private sealed record Recorded(string Name, int Count, DateTimeOffset Last);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Could not record event {Reason} on {Target}")]
    private static partial void LogFailed(ILogger logger, string target, string reason, Exception exception);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Debug, Message = "No event {Reason}: {Target} is not in the cluster")]
    private static partial void LogNoTarget(ILogger logger, string target, string reason);
}
