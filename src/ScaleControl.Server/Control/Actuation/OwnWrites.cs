using System.Collections.Concurrent;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// This replica's recent proposal writes, keyed by the resourceVersion they replaced: when the watch cache still holds
/// that version, the write that followed it is the fresher truth. Only exact resourceVersion matches are followed (no
/// ordering of resourceVersions is assumed), so another replica's write, once cached, always wins.
/// </summary>
public sealed class OwnWrites
{
    /// <summary>Writes remembered; old ones are dropped (by then the watch has long delivered them).</summary>
    private const int Capacity = 4096;

    private readonly ConcurrentDictionary<(string Key, string ResourceVersion), ScaleProposal> _next = new();
    private readonly ConcurrentQueue<(string Key, string ResourceVersion)> _order = new();

    public void Record(ScaleProposal before, ScaleProposal stored)
    {
        if (before.Metadata.ResourceVersion is not { } version)
        {
            return;
        }

        var entry = (before.Key, version);
        _next[entry] = stored;
        _order.Enqueue(entry);
        while (_order.Count > Capacity && _order.TryDequeue(out var old))
        {
            _next.TryRemove(old, out _);
        }
    }

    /// <summary>The newest version of <paramref name="cached"/> this replica knows of.</summary>
    public ScaleProposal Freshest(ScaleProposal cached)
    {
        var current = cached;
        for (var hops = 0; hops < 64 && current.Metadata.ResourceVersion is { } version && _next.TryGetValue((current.Key, version), out var next); hops++)
        {
            current = next;
        }

        return current;
    }
}
