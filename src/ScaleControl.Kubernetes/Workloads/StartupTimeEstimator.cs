using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;

namespace ScaleControl.Kubernetes.Workloads;

/// <summary>
/// Estimates how long new pods of a workload take to become ready, in this order:
/// <list type="number">
/// <item>the annotation <c>scalecontrol.io/startup-seconds</c> on the workload (an operator's statement wins);</item>
/// <item>the observed readiness lag: from the watch, the time between <c>spec.replicas</c> rising above
/// <c>status.readyReplicas</c> and ready catching up, smoothed (EWMA, α = 0.5) over scale-ups;</item>
/// <item>the first container's readiness probe <c>initialDelaySeconds</c> plus the workload's <c>minReadySeconds</c>;</item>
/// <item>otherwise unknown (null), and the caller uses its own default.</item>
/// </list>
/// </summary>
public sealed class StartupTimeEstimator(TimeProvider time)
{
    public const string Annotation = "scalecontrol.io/startup-seconds";
    private const double Smoothing = 0.5;

    private readonly ConcurrentDictionary<string, Observation> _observations = new(StringComparer.Ordinal);

    /// <summary>Feeds one watch event of a Deployment or StatefulSet.</summary>
    public void Observe(WatchEventType type, string key, int? specReplicas, int? readyReplicas)
    {
        if (type == WatchEventType.Deleted)
        {
            _observations.TryRemove(key, out _);
            return;
        }

        var now = time.GetUtcNow();
        var spec = specReplicas ?? 1;
        var ready = readyReplicas ?? 0;
        _observations.AddOrUpdate(
            key,
            _ => new Observation(ready < spec ? now : null, null),
            (_, previous) => previous switch
            {
                { WaitingSince: null } when ready < spec => previous with { WaitingSince = now },
                { WaitingSince: { } since } when ready >= spec => new Observation(null, Smooth(previous.Estimate, now - since)),
                _ => previous,
            });
    }

    public TimeSpan? Estimate(string key, V1ObjectMeta? metadata, V1PodTemplateSpec? template, int? minReadySeconds)
    {
        if (metadata?.Annotations?.TryGetValue(Annotation, out var text) == true
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (_observations.TryGetValue(key, out var observation) && observation.Estimate is { } observed)
        {
            return observed;
        }

        var probeDelay = template?.Spec?.Containers?.FirstOrDefault()?.ReadinessProbe?.InitialDelaySeconds;
        return probeDelay is null && minReadySeconds is null
            ? null
            : TimeSpan.FromSeconds((probeDelay ?? 0) + (minReadySeconds ?? 0));
    }

    private static TimeSpan Smooth(TimeSpan? previous, TimeSpan sample) =>
        previous is { } p ? TimeSpan.FromTicks((long)((Smoothing * sample.Ticks) + ((1 - Smoothing) * p.Ticks))) : sample;

    private sealed record Observation(DateTimeOffset? WaitingSince, TimeSpan? Estimate);
}
