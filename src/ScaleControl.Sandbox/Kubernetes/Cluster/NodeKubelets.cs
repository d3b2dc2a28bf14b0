namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// Which nodes' kubelets the sandbox has stopped (a test or demo failing a node), and since when: a stopped kubelet
/// posts no node status, so the node lifecycle controller marks the node Unknown after its grace period. Memory only,
/// as a kubelet's process is: a sandbox restart starts every kubelet again.
/// </summary>
internal sealed class NodeKubelets
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _stoppedSince = new(StringComparer.Ordinal);

    public void Stop(string node, DateTimeOffset now)
    {
        lock (_lock)
        {
            _stoppedSince.TryAdd(node, now);
        }
    }

    public void Start(string node)
    {
        lock (_lock)
        {
            _stoppedSince.Remove(node);
        }
    }

    /// <summary>When the node's kubelet stopped posting status, or null while it runs.</summary>
    public DateTimeOffset? StoppedSince(string node)
    {
        lock (_lock)
        {
            return _stoppedSince.TryGetValue(node, out var since) ? since : null;
        }
    }
}
