using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Server.Control.Actuation;

/// <summary>
/// This replica's recent proposal writes over the watch cache (<see cref="WriteChain{T}"/>): when the cache still holds
/// the version a write of ours replaced, the write that followed it is the fresher truth; another replica's write,
/// once cached, always wins.
/// </summary>
public sealed class OwnWrites
{
    private readonly WriteChain<ScaleProposal> _chain = new(p => p.Metadata.ResourceVersion);

    public void Record(ScaleProposal before, ScaleProposal stored) => _chain.Record(before.Key, before.Metadata.ResourceVersion, stored);

    /// <summary>The newest version of <paramref name="cached"/> this replica knows of.</summary>
    public ScaleProposal Freshest(ScaleProposal cached) => _chain.After(cached.Key, cached.Metadata.ResourceVersion) ?? cached;
}
