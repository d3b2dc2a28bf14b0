namespace ScaleControl.Simulation;

/// <summary>What one controller did on one trace.</summary>
public sealed record ReplayResult(
    string Trace,
    string Controller,
    double ShortfallPodSeconds,
    double OverProvisionPodSeconds,
    double? TimeToCapacitySeconds,
    int Changes,
    int MaxChangesPer10Minutes,
    int PeakReplicas);
