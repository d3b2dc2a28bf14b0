namespace ScaleControl.Simulation;

/// <summary>
/// The physical floor: perfect knowledge of the arrivals one start-up time ahead. Every 5 s it sets the pods
/// for the highest demand between now and a slow pod's start-up plus one tick later, under the same scale-up
/// step as the policy under test, with no stabilization and no tolerance. What it still misses, nobody catches.
/// With <paramref name="foresight"/> false it knows the arrivals up to now, exactly and at once (no scrape, no rate
/// window, no latency), and holds the highest of the last 300 s as the HPA's down window does: a reference for
/// any controller that reacts to demand rather than to a leading signal, since its pods still take the start-up.
/// </summary>
public sealed class OracleController(ReplaySettings settings, int minReplicas, int maxReplicas, double stepUpPercent, bool foresight = true) : IReplayController
{
    public string Name => foresight ? "Oracle" : "Oracle now";

    public int IntervalSeconds => 5;

    private const int DownWindowSeconds = 300;

    public int Decide(in ReplayTick tick)
    {
        // A pod at the 95th percentile of start-up is ready within median x e^(1.645 sigma).
        var ahead = settings.StartupSeconds * Math.Exp(1.645 * settings.StartupSpread) + IntervalSeconds;
        var (from, to) = foresight ? ((int)tick.Now, (int)(tick.Now + ahead)) : ((int)tick.Now - DownWindowSeconds, (int)tick.Now);
        var need = (int)Math.Ceiling(tick.Pipeline.MaxArrivals(from, to) / settings.CapacityPerPod);
        var limit = (int)Math.Ceiling(tick.SpecReplicas * (1 + (stepUpPercent / 100)));
        return Math.Clamp(Math.Min(need, limit), minReplicas, maxReplicas);
    }
}
