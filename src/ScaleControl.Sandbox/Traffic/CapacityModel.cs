namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// What demand does to a service with a given number of ready pods. Latency is the base latency plus an
/// exponential queueing tail whose mean grows like 1/(1-utilisation) (an M/M/1 flavour, capped at 98%);
/// demand beyond capacity fails (timeouts, 503s) on top of the base error ratio.
/// </summary>
internal static class CapacityModel
{
    private const double MaxUtilization = 0.98;

    public static ServiceConditions Evaluate(SimulatedServiceOptions service, double demandQps, int readyReplicas)
    {
        var capacity = readyReplicas * service.PodCapacityQps;
        var utilization = capacity > 0 ? Math.Min(demandQps / capacity, MaxUtilization) : MaxUtilization;
        var tail = QueueTail(service, utilization);
        var overflow = Math.Max(0, demandQps - capacity);
        var errors = Math.Min(demandQps, overflow + (demandQps - overflow) * service.BaseErrorRatio);
        return new ServiceConditions(
            demandQps,
            readyReplicas,
            capacity,
            errors,
            service.BaseLatencySeconds + tail,
            service.BaseLatencySeconds + tail * Math.Log(100));
    }

    /// <summary>Per-second increments of every counter (see <see cref="TrafficCounters"/>) under these conditions.</summary>
    public static void WriteRates(SimulatedServiceOptions service, ServiceConditions conditions, Span<double> rates)
    {
        var demand = conditions.DemandQps;
        var tail = conditions.LatencyMeanSeconds - service.BaseLatencySeconds;
        rates[TrafficCounters.Requests] = demand;
        rates[TrafficCounters.Errors] = conditions.ErrorQps;
        rates[TrafficCounters.DurationSum] = demand * conditions.LatencyMeanSeconds;

        var bounds = TrafficCounters.BucketBounds;
        for (var i = 0; i < bounds.Length; i++)
        {
            var over = bounds[i] - service.BaseLatencySeconds;
            rates[TrafficCounters.FirstBucket + i] = over < 0 ? 0 : demand * (1 - Math.Exp(-over / tail));
        }

        rates[TrafficCounters.FirstBucket + bounds.Length] = demand;
    }

    private static double QueueTail(SimulatedServiceOptions service, double utilization) =>
        service.BaseLatencySeconds * 0.5 / (1 - utilization);
}
