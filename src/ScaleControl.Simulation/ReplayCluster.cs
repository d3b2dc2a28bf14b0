namespace ScaleControl.Simulation;

/// <summary>A workload in simulated time: new pods serve only after the start-up delay; removals prefer pods not yet ready.</summary>
public sealed class ReplayCluster(double startupSeconds, int initialReplicas)
{
    private readonly List<double> _readyAt = [.. Enumerable.Repeat(double.NegativeInfinity, initialReplicas)];

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
            _readyAt.Add(now + startupSeconds);
        }

        if (_readyAt.Count > replicas)
        {
            // Kubernetes deletes not-ready (newest) pods first.
            _readyAt.Sort();
            _readyAt.RemoveRange(replicas, _readyAt.Count - replicas);
        }
    }
}
