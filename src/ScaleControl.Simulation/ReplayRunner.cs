namespace ScaleControl.Simulation;

/// <summary>Settings shared by every controller in a replay (same cluster, same per-pod capacity).</summary>
public sealed record ReplaySettings
{
    /// <summary>Requests one ready pod serves; also the per-pod target both controllers size for.</summary>
    public double CapacityPerPod { get; init; } = 500;

    public double StartupSeconds { get; init; } = 45;

    /// <summary>The metric is a rate over this window (PromQL <c>rate(...[30s])</c>), ending at the sample time.</summary>
    public double RateWindowSeconds { get; init; } = 30;

    /// <summary>Time to capacity: from the spike start until ready capacity first covers this share of the peak.</summary>
    public double CapacityShare { get; init; } = 0.9;
}

/// <summary>
/// Replays a trace through one controller in simulated time, one-second steps: the cluster model, the lagging
/// metric pipeline and the accounting (shortfall, over-provisioning, time to capacity, changes). Deterministic.
/// </summary>
public static class ReplayRunner
{
    /// <param name="observe">Called every simulated second with (seconds, spec replicas, ready replicas), e.g. for a timeline.</param>
    public static ReplayResult Run(TrafficTrace trace, IReplayController controller, ReplaySettings settings, Action<int, int, int>? observe = null)
    {
        var capacity = settings.CapacityPerPod;
        var cluster = new ReplayCluster(settings.StartupSeconds, Math.Max(1, (int)Math.Ceiling(trace.QpsAt(0) / capacity)));
        double shortfall = 0, over = 0;
        double? timeToCapacity = null;
        var changeTimes = new List<double>();
        var peak = cluster.SpecReplicas;
        var peakDemandPods = trace.PeakQps / capacity;

        for (var t = 0; t <= (int)trace.DurationSeconds; t++)
        {
            if (t > 0 && t % controller.IntervalSeconds == 0)
            {
                var sampleAt = t - controller.MetricDelaySeconds(t);
                var observed = new ObservedMetric(RateAt(trace, sampleAt, settings.RateWindowSeconds), sampleAt);
                var spec = cluster.SpecReplicas;
                var desired = controller.Decide(t, observed, spec, cluster.ReadyReplicas(t));
                if (desired != spec)
                {
                    cluster.Scale(desired, t);
                    changeTimes.Add(t);
                    peak = Math.Max(peak, desired);
                }
            }

            var ready = cluster.ReadyReplicas(t);
            observe?.Invoke(t, cluster.SpecReplicas, ready);
            var demandPods = trace.QpsAt(t) / capacity;
            shortfall += Math.Max(0, demandPods - ready);
            over += Math.Max(0, ready - demandPods);
            if (timeToCapacity is null && trace.SpikeStartSeconds is { } start && t >= start && ready >= settings.CapacityShare * peakDemandPods)
            {
                timeToCapacity = t - start;
            }
        }

        return new ReplayResult(trace.Name, controller.Name, shortfall, over, timeToCapacity, changeTimes.Count, MaxInWindow(changeTimes, 600), peak);
    }

    /// <summary>The average demand over the window ending at <paramref name="end"/>: what rate() reports.</summary>
    private static double RateAt(TrafficTrace trace, double end, double window)
    {
        const int Steps = 30;
        var sum = 0.0;
        for (var i = 0; i < Steps; i++)
        {
            sum += trace.QpsAt(end - window + ((i + 0.5) * window / Steps));
        }

        return sum / Steps;
    }

    private static int MaxInWindow(List<double> times, double window)
    {
        var best = 0;
        var lo = 0;
        for (var hi = 0; hi < times.Count; hi++)
        {
            while (times[hi] - times[lo] >= window)
            {
                lo++;
            }

            best = Math.Max(best, hi - lo + 1);
        }

        return best;
    }
}
