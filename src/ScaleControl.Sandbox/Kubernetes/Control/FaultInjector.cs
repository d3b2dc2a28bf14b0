namespace ScaleControl.Sandbox.Kubernetes.Control;

/// <summary>The active faults; a request takes the first matching one that has hits left.</summary>
internal sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<ActiveFault> _faults = [];

    public IDisposable Add(SandboxFault fault)
    {
        var active = new ActiveFault(fault, fault.Times);
        lock (_lock)
        {
            _faults.Add(active);
        }

        return new Removal(this, active);
    }

    public void Clear()
    {
        lock (_lock)
        {
            _faults.Clear();
        }
    }

    public SandboxFault? Take(string method, string path, string verb, string resource, string userAgent)
    {
        lock (_lock)
        {
            foreach (var active in _faults)
            {
                var f = active.Fault;
                if ((f.Method is null || f.Method.Equals(method, StringComparison.OrdinalIgnoreCase))
                    && (f.Verb is null || f.Verb == verb)
                    && (f.Resource is null || f.Resource == resource)
                    && (f.PathContains is null || path.Contains(f.PathContains, StringComparison.Ordinal))
                    && (f.UserAgentContains is null || userAgent.Contains(f.UserAgentContains, StringComparison.Ordinal))
                    && active.Remaining is null or > 0)
                {
                    active.Remaining--;
                    return f;
                }
            }

            return null;
        }
    }

    private void Remove(ActiveFault active)
    {
        lock (_lock)
        {
            _faults.Remove(active);
        }
    }

    private sealed class ActiveFault(SandboxFault fault, int? remaining)
    {
        public SandboxFault Fault => fault;

        public int? Remaining { get; set; } = remaining;
    }

    private sealed class Removal(FaultInjector owner, ActiveFault active) : IDisposable
    {
        public void Dispose() => owner.Remove(active);
    }
}
