using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// ScalePolicy custom resources: reads from the watch cache, writes to the API server. A namespace outside the
/// watched set is refused (<see cref="NamespaceNotWatchedException"/>) before any call.
/// </summary>
public sealed class KubernetesPolicyStore(ResourceCache<ScalePolicy> cache, CustomResourceClient<ScalePolicy> api, WatchedNamespaces watched) : IPolicyStore
{
    public async Task<IReadOnlyList<ScalePolicy>> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return [.. cache.Items.Where(p => @namespace is null || p.Metadata.Namespace == @namespace).OrderBy(p => p.Key, StringComparer.Ordinal)];
    }

    public async Task<ScalePolicy?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        await cache.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
        return cache.Get($"{@namespace}/{name}");
    }

    /// <summary>
    /// A read from the API server (a quorum read), which also brings the cache up to it. An API server that fails to
    /// answer (after the client's retries) is a <see cref="StoreUnavailableException"/>, never "no such policy".
    /// </summary>
    public Task<ScalePolicy?> GetCurrentAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        return CurrentReads.GetCurrentAsync(api, cache, @namespace, name, cancellationToken);
    }

    /// <summary>How often an update without a resourceVersion reads the object again after a conflict.</summary>
    private const int UnconditionalAttempts = 5;

    /// <summary>
    /// Replaces when a resourceVersion is given (a precondition: a conflict is the caller's to resolve); otherwise
    /// creates, or replaces the current object whatever its version — the caller asked for the last write to win.
    /// </summary>
    public async Task<ScalePolicy> UpsertAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var meta = policy.Metadata;
        watched.Require(meta.Namespace);
        if (policy.UnreadableProblem() is { } problem)
        {
            throw new UnreadablePolicyException($"{problem}, so nothing was written: fix it with kubectl, or replace it whole");
        }

        var stored = meta.ResourceVersion is not null
            ? await api.ReplaceAsync(policy, meta, cancellationToken).ConfigureAwait(false)
            : await UpsertUnconditionallyAsync(policy, cancellationToken).ConfigureAwait(false);
        cache.Observe(stored);
        return stored;
    }

    /// <summary>
    /// The control loop writes the policy's status all the time, and every write moves the resourceVersion read just
    /// before the replace: a conflict here is not the caller's, so it is read again and retried (client-go's
    /// RetryOnConflict). A create that meets a policy created meanwhile replaces it the same way.
    /// </summary>
    private async Task<ScalePolicy> UpsertUnconditionallyAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        var meta = policy.Metadata;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await api.GetAsync(meta.Namespace, meta.Name, cancellationToken).ConfigureAwait(false) is { } current)
                {
                    var replacement = policy with { Metadata = meta with { ResourceVersion = current.Metadata.ResourceVersion, Uid = current.Metadata.Uid } };
                    return await api.ReplaceAsync(replacement, meta, cancellationToken).ConfigureAwait(false);
                }

                var created = policy with { Metadata = meta with { Uid = null, Generation = null, CreationTimestamp = null }, Status = null };
                return await api.CreateAsync(created, meta, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < UnconditionalAttempts)
            {
                // Someone wrote in between (most often the loop's status write): read the new version and try again.
            }
        }
    }

    public async Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        watched.Require(@namespace);
        var deleted = await api.DeleteAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        cache.Forget($"{@namespace}/{name}");
        return deleted;
    }

    public async Task<ScalePolicy> UpdateStatusAsync(ScalePolicy policy, CancellationToken cancellationToken)
    {
        watched.Require(policy.Metadata.Namespace);
        var stored = await api.ReplaceStatusAsync(policy, policy.Metadata, cancellationToken).ConfigureAwait(false);
        cache.Observe(stored);
        return stored;
    }
}
