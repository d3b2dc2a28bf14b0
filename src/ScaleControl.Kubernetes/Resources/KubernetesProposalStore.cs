using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// ScaleProposal custom resources: reads from the watch cache; every write and delete carries the resourceVersion the
/// caller read, so of two replicas (or two taps) moving the same proposal exactly one succeeds. A namespace outside
/// the watched set is refused (<see cref="NamespaceNotWatchedException"/>) before any call.
/// </summary>
public sealed class KubernetesProposalStore(ResourceCache<ScaleProposal> cache, CustomResourceClient<ScaleProposal> api, WatchedNamespaces watched) : IProposalStore
{
    public async Task<IReadOnlyList<ScaleProposal>> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return [.. cache.Items.Where(p => @namespace is null || p.Metadata.Namespace == @namespace).OrderBy(p => p.Key, StringComparer.Ordinal)];
    }

    public async Task<ScaleProposal?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return cache.Get($"{@namespace}/{name}");
    }

    /// <summary>A read from the API server (a quorum read), which also brings the cache up to it.</summary>
    public Task<ScaleProposal?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        return CurrentReads.GetCurrentAsync(api, cache, @namespace, name, cancellationToken);
    }

    /// <summary>Creates the object, then writes its status (a create ignores status when the status subresource is on).</summary>
    public async Task<ScaleProposal> CreateAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        watched.Require(proposal.Metadata.Namespace);
        var meta = proposal.Metadata with { Uid = null, ResourceVersion = null, Generation = null, CreationTimestamp = null };
        var created = await api.CreateAsync(proposal with { Metadata = meta }, meta, cancellationToken).ConfigureAwait(false);
        var stored = await api.ReplaceStatusAsync(created with { Status = proposal.Status }, created.Metadata, cancellationToken).ConfigureAwait(false);
        cache.Observe(stored);
        return stored;
    }

    public async Task<ScaleProposal> UpdateAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        watched.Require(proposal.Metadata.Namespace);
        if (proposal.Metadata.ResourceVersion is null)
        {
            throw new ArgumentException($"Proposal {proposal.Key} has no resourceVersion; read it before updating it.", nameof(proposal));
        }

        var current = proposal;
        var cached = cache.Get(proposal.Key);
        if (cached is null || !SameSpec(cached, proposal))
        {
            current = await api.ReplaceAsync(proposal, proposal.Metadata, cancellationToken).ConfigureAwait(false);
        }

        var stored = await api.ReplaceStatusAsync(proposal with { Metadata = current.Metadata }, current.Metadata, cancellationToken).ConfigureAwait(false);
        cache.Observe(stored);
        return stored;
    }

    /// <summary>Deletes only the version the caller read; the cache drops it at once (the watch's Deleted event then finds nothing to do).</summary>
    public async Task DeleteAsync(ScaleProposal proposal, CancellationToken cancellationToken)
    {
        watched.Require(proposal.Metadata.Namespace);
        if (proposal.Metadata.ResourceVersion is null)
        {
            throw new ArgumentException($"Proposal {proposal.Key} has no resourceVersion; read it before deleting it.", nameof(proposal));
        }

        await api.DeleteIfUnchangedAsync(proposal.Metadata, cancellationToken).ConfigureAwait(false);
        cache.Forget(proposal.Key);
    }

    /// <summary>Whether only the status differs (then one status write is enough).</summary>
    private static bool SameSpec(ScaleProposal a, ScaleProposal b) => SpecJson(a) == SpecJson(b);

    /// <remarks>
    /// Each part on its own: these options drop get-only properties (see <see cref="CustomResourceJson"/>), so an
    /// anonymous object of the three would serialize as <c>{}</c> and every spec change would look like none.
    /// </remarks>
    private static string SpecJson(ScaleProposal p) => string.Join('\n',
        JsonSerializer.Serialize(p.Spec, CustomResourceJson.Options),
        JsonSerializer.Serialize(p.Metadata.Labels, CustomResourceJson.Options),
        JsonSerializer.Serialize(p.Metadata.Annotations, CustomResourceJson.Options));
}
