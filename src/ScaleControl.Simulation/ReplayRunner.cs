namespace ScaleControl.Simulation;

/// <summary>
/// Replays a trace through one controller in simulated time, one-second steps: the seeded metric pipeline, the
/// cluster model and the accounting. Shortfall counts demand above the ready pods; over-provisioning counts every
/// pod the workload holds (starting ones cost as much) above the demand. Deterministic for a seed.
/// </summary>
public static class ReplayRunner
{
    /// <param name="observe">Called every simulated second with (seconds, spec replicas, ready replicas), e.g. for a timeline.</param>
    public static ReplayResult Run(TrafficTrace trace, IReplayController controller, ReplaySettings settings, int seed = 1, Action<int, int, int>? observe = null) =>
        Run(new MetricPipeline(trace, settings, seed), controller, settings, seed, observe);

    public static ReplayResult Run(MetricPipeline pipeline, IReplayController controller, ReplaySettings settings, int seed, Action<int, int, int>? observe = null)
    {
        var trace = pipeline.Trace;
        var capacity = settings.CapacityPerPod;
        var cluster = new ReplayCluster(settings, Math.Max(1, (int)Math.Ceiling(trace.QpsAt(0) / capacity)), seed);
        double shortfall = 0, over = 0;
        double? timeToCapacity = null;
        var changeTimes = new List<double>();
        var peak = cluster.SpecReplicas;
        var peakDemandPods = trace.PeakQps / capacity;

        // Each controller ticks on its own phase, from the seed (the HPA's sync is not aligned with the scrapes).
        var phase = seed % controller.IntervalSeconds;
        for (var t = 0; t <= (int)trace.DurationSeconds; t++)
        {
            if (t > 0 && (t - phase) % controller.IntervalSeconds == 0)
            {
                var spec = cluster.SpecReplicas;
                var desired = controller.Decide(new ReplayTick(t, pipeline.Observe(t), spec, cluster.ReadyReplicas(t), pipeline));
                if (desired != spec)
                {
                    cluster.Scale(desired, t);
                    changeTimes.Add(t);
                    peak = Math.Max(peak, desired);
                }
            }

            var ready = cluster.ReadyReplicas(t);
            observe?.Invoke(t, cluster.SpecReplicas, ready);
            var demandPods = pipeline.ArrivalsAt(t) / capacity;
            shortfall += Math.Max(0, demandPods - ready);
            over += Math.Max(0, cluster.SpecReplicas - demandPods);
            if (timeToCapacity is null && trace.SpikeStartSeconds is { } start && t >= start && ready >= settings.CapacityShare * peakDemandPods)
            {
                timeToCapacity = t - start;
            }
        }

        return new ReplayResult(trace.Name, controller.Name, seed, shortfall, over, timeToCapacity, changeTimes.Count, MaxInWindow(changeTimes, 600), peak, peakDemandPods);
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
