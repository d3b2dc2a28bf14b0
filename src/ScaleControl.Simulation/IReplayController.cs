namespace ScaleControl.Simulation;

/// <summary>What a controller sees of the metric at one tick: a value and when it was sampled (it lags).</summary>
public readonly record struct ObservedMetric(double Value, double SampleSeconds);

/// <summary>An autoscaler under replay: asked every <see cref="IntervalSeconds"/> what the replicas should be.</summary>
public interface IReplayController
{
    string Name { get; }

    int IntervalSeconds { get; }

    /// <summary>How late the controller's metric is at the given tick (seconds), e.g. scrape and adapter lag.</summary>
    double MetricDelaySeconds(double now);

    /// <summary>Returns the replica count to set (may equal <paramref name="specReplicas"/>).</summary>
    int Decide(double now, ObservedMetric metric, int specReplicas, int readyReplicas);
}
