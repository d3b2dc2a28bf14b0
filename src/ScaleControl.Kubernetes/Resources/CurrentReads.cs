using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>Reads of a custom resource as the API server holds it now, for the re-checks a watch cache may trail.</summary>
internal static class CurrentReads
{
    /// <summary>
    /// A read from the API server (a quorum read), which also brings the cache up to it. An API server that fails to
    /// answer (after the client's retries) is a <see cref="StoreUnavailableException"/>, never "no such object".
    /// </summary>
    public static async Task<T?> GetCurrentAsync<T>(CustomResourceClient<T> api, ResourceCache<T> cache, string @namespace, string name, CancellationToken cancellationToken)
        where T : class
    {
        T? current;
        try
        {
            current = await api.GetAsync(@namespace, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ApiErrors.Unavailable(ex, cancellationToken) is { } why)
        {
            throw new StoreUnavailableException($"reading {@namespace}/{name} from the API server failed: {why}", ex);
        }

        if (current is not null)
        {
            cache.Observe(current);
        }

        return current;
    }
}
