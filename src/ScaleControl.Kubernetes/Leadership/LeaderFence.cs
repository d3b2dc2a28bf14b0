using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes.Leadership;

/// <summary>
/// Keeps a leader that lost its lease from writing. The control loop runs each tick inside <see cref="EnterTick"/>,
/// which remembers the leadership term the tick started in (flowing with the tick's async calls, including work it
/// starts and does not await). Every Kubernetes write made inside a tick passes <see cref="ThrowIfLost"/> at the last
/// moment before it is sent (<see cref="Client.LeaderFencingHandler"/>): once the lease is lost — or lost and won
/// again, a new term — the old tick's writes are refused, and the new leader decides afresh from what is stored.
/// Writes outside a tick (taps, API calls) are any replica's to make and are not fenced.
/// </summary>
public sealed class LeaderFence
{
    private static readonly AsyncLocal<long?> s_tickTerm = new();
    private readonly Lazy<ILeadership> _leadership;

    public LeaderFence(ILeadership leadership) => _leadership = new Lazy<ILeadership>(leadership);

    /// <summary>Resolves the leadership on first use: the elector itself needs the Kubernetes client this fence guards.</summary>
    public LeaderFence(Func<ILeadership> leadership) => _leadership = new Lazy<ILeadership>(leadership);

    /// <summary>Marks the calling async flow as a tick of the current term; dispose to leave it.</summary>
    public IDisposable EnterTick()
    {
        var previous = s_tickTerm.Value;
        s_tickTerm.Value = _leadership.Value.Term;
        return new Scope(previous);
    }

    /// <summary>Inside a tick: throws when this replica no longer leads in the term the tick started in.</summary>
    public void ThrowIfLost(string write)
    {
        if (s_tickTerm.Value is { } term && (!_leadership.Value.IsLeader || _leadership.Value.Term != term))
        {
            throw new LeadershipLostException($"leadership of term {term} lost; refused to send {write}");
        }
    }

    private sealed class Scope(long? previous) : IDisposable
    {
        public void Dispose() => s_tickTerm.Value = previous;
    }
}

/// <summary>A write of a control-loop tick refused because this replica stopped leading since the tick started.</summary>
public sealed class LeadershipLostException(string message) : Exception(message);
