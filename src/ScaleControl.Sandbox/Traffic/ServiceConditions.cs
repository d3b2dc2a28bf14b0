namespace ScaleControl.Sandbox.Traffic;

/// <summary>How one service fares during one simulated second.</summary>
public sealed record ServiceConditions(
    double DemandQps,
    int ReadyReplicas,
    double CapacityQps,
    double ErrorQps,
    double LatencyMeanSeconds,
    double LatencyP99Seconds)
{
    public double ServedQps => DemandQps - ErrorQps;

    public double Utilization => CapacityQps > 0 ? DemandQps / CapacityQps : DemandQps > 0 ? double.PositiveInfinity : 0;

    public double ErrorRatio => DemandQps > 0 ? ErrorQps / DemandQps : 0;
}
