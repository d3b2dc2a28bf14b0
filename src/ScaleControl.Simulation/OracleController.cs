namespace ScaleControl.Simulation;

/// <summary>
/// The physical floor: perfect knowledge of the arrivals one start-up time ahead. Every 5 s it sets the pods
/// for the highest demand between now and a slow pod's start-up plus one tick later, under the same scale-up
/// step as the policy under test, with no stabilization and no tolerance. What it still misses, nobody catches.
/// </summary>
public sealed class OracleController(ReplaySettings settings, int minReplicas, int maxReplicas, double stepUpPercent) : IReplayController
{
    public string Name => "Oracle";

    public int IntervalSeconds => 5;

    public int Decide(in ReplayTick tick)
    {
        // A pod at the 95th percentile of start-up is ready within median x e^(1.645 sigma).
        var ahead = settings.StartupSeconds * Math.Exp(1.645 * settings.StartupSpread) + IntervalSeconds;
        var need = (int)Math.Ceiling(tick.Pipeline.MaxArrivals((int)tick.Now, (int)(tick.Now + ahead)) / settings.CapacityPerPod);
        var limit = (int)Math.Ceiling(tick.SpecReplicas * (1 + (stepUpPercent / 100)));
        return Math.Clamp(Math.Min(need, limit), minReplicas, maxReplicas);
    }
}
