using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>ScalePolicy custom resources: reads from the watch cache, writes to the API server.</summary>
public sealed class KubernetesPolicyStore(ResourceCache<ScalePolicy> cache, CustomResourceClient<ScalePolicy> api) : IPolicyStore
{
    public async Task<IReadOnlyList<ScalePolicy>> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return [.. cache.Items.Where(p => @namespace is null || p.Metadata.Namespace == @namespace).OrderBy(p => p.Key, StringComparer.Ordinal)];
    }

    public async Task<ScalePolicy?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return cache.Get($"{@namespace}/{name}");
    }

    /// <summary>Replaces when a resourceVersion is given (a precondition); otherwise creates, or replaces the current object.</summary>
    public async Task<ScalePolicy> UpsertAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var meta = policy.Metadata;
        ScalePolicy stored;
        if (meta.ResourceVersion is not null)
        {
            stored = await api.ReplaceAsync(policy, meta, cancellationToken).ConfigureAwait(false);
        }
        else if (await api.GetAsync(meta.Namespace, meta.Name, cancellationToken).ConfigureAwait(false) is { } current)
        {
            var replacement = policy with { Metadata = meta with { ResourceVersion = current.Metadata.ResourceVersion, Uid = current.Metadata.Uid } };
            stored = await api.ReplaceAsync(replacement, meta, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var created = policy with { Metadata = meta with { Uid = null, Generation = null, CreationTimestamp = null }, Status = null };
            stored = await api.CreateAsync(created, meta, cancellationToken).ConfigureAwait(false);
        }

        cache.Observe(stored);
        return stored;
    }

    public async Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var deleted = await api.DeleteAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        cache.Forget($"{@namespace}/{name}");
        return deleted;
    }

    public async Task<ScalePolicy> UpdateStatusAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var stored = await api.ReplaceStatusAsync(policy, policy.Metadata, cancellationToken).ConfigureAwait(false);
        cache.Observe(stored);
        return stored;
    }
}
