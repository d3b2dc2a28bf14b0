namespace ScaleControl.Simulation;

/// <summary>What one controller did on one trace with one seed. Pod-seconds are summed per simulated second.</summary>
public sealed record ReplayResult(
    string Trace,
    string Controller,
    int Seed,
    double ShortfallPodSeconds,
    double OverProvisionPodSeconds,
    double? TimeToCapacitySeconds,
    int Changes,
    int MaxChangesPer10Minutes,
    int PeakReplicas,
    double PeakDemandPods);
