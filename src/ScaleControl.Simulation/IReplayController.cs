namespace ScaleControl.Simulation;

/// <summary>What a controller sees of the metric at one tick: a value and the time it is stamped with.</summary>
public readonly record struct ObservedMetric(double Value, double SampleSeconds);

/// <summary>
/// One controller tick: the time, the metric as the shared pipeline shows it now, the workload, and the pipeline
/// itself for controllers that read more (extra series such as a leading signal).
/// </summary>
public readonly record struct ReplayTick(double Now, ObservedMetric Metric, int SpecReplicas, int ReadyReplicas, MetricPipeline Pipeline);

/// <summary>An autoscaler under replay: asked every <see cref="IntervalSeconds"/> what the replicas should be.</summary>
public interface IReplayController
{
    string Name { get; }

    int IntervalSeconds { get; }

    /// <summary>Returns the replica count to set (may equal the current spec).</summary>
    int Decide(in ReplayTick tick);
}
