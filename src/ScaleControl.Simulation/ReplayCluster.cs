namespace ScaleControl.Simulation;

/// <summary>
/// A workload in simulated time: each new pod serves after its own start-up time (lognormal around the median,
/// seeded); removals take pods that are not ready first, then the newest.
/// </summary>
public sealed class ReplayCluster(ReplaySettings settings, int initialReplicas, int seed)
{
    private readonly List<double> _readyAt = [.. Enumerable.Repeat(double.NegativeInfinity, initialReplicas)];
    private readonly Random _random = new(seed * 104729);

    public int SpecReplicas => _readyAt.Count;

    public int ReadyReplicas(double now)
    {
        var ready = 0;
        foreach (var t in _readyAt)
        {
            if (t <= now)
            {
                ready++;
            }
        }

        return ready;
    }

    public void Scale(int replicas, double now)
    {
        while (_readyAt.Count < replicas)
        {
            _readyAt.Add(now + StartupSeconds());
        }

        if (_readyAt.Count > replicas)
        {
            // Kubernetes deletes not-ready (newest) pods first.
            _readyAt.Sort();
            _readyAt.RemoveRange(replicas, _readyAt.Count - replicas);
        }
    }

    private double StartupSeconds()
    {
        return settings.StartupSeconds * Math.Exp(settings.StartupSpread * RandomDraws.Normal(_random));
    }
}
