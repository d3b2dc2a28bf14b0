using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.Logging;
using ScaleControl.Core.Policies;
using ScaleControl.Kubernetes.Caching;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// List and watch of one custom resource (in one namespace, or all when it is null) through KubernetesClient's
/// generic CustomObjects API.
/// An object that does not deserialize into the Core model is logged and read as <see cref="CustomResourceReader"/> says
/// (a policy's stand-in, or skipped), never fatal to the cache.
/// </summary>
public sealed partial class CustomResourceSource<TModel>(
    IKubernetes client,
    string plural,
    Func<TModel, ObjectMeta> metadata,
    ILogger logger) : IResourceSource<TModel>
    where TModel : class
{
    public string Name => plural;

    public async Task<(IReadOnlyList<TModel> Items, string ResourceVersion)> ListAsync(string? @namespace, CancellationToken cancellationToken)
    {
        var body = @namespace is null
            ? await client.CustomObjects.ListCustomObjectForAllNamespacesAsync<JsonElement>(
                ScaleControlResources.Group, ScaleControlResources.Version, plural, cancellationToken: cancellationToken).ConfigureAwait(false)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
                ScaleControlResources.Group, ScaleControlResources.Version, @namespace, plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        var items = new List<TModel>();
        if (body.TryGetProperty("items", out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in array.EnumerateArray())
            {
                if (TryRead(element) is { } item)
                {
                    items.Add(item);
                }
            }
        }

        var resourceVersion = body.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv)
            ? rv.GetString() ?? ""
            : "";
        return (items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, TModel Object)> WatchAsync(
        string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = @namespace is null
            ? client.CustomObjects.ListCustomObjectForAllNamespacesWithHttpMessagesAsync(
                ScaleControlResources.Group, ScaleControlResources.Version, plural,
                allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true,
                cancellationToken: cancellationToken)
            : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(
                ScaleControlResources.Group, ScaleControlResources.Version, @namespace, plural,
                allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, watch: true,
                cancellationToken: cancellationToken);

        // KubernetesClient 21 generates typed watches only for built-in kinds; for custom objects the response of a
        // watch=true list is read with WatcherExt, which is marked obsolete but is the client's own line reader.
#pragma warning disable CS0618
        var events = response.WatchAsync<JsonElement, object>(onError, cancellationToken);
#pragma warning restore CS0618
        await foreach (var (type, element) in events.ConfigureAwait(false))
        {
            if (TryRead(element) is { } item)
            {
                yield return (type, item);
            }
            else if (type is WatchEventType.Added or WatchEventType.Modified && CustomResourceReader.Gone<TModel>(element) is { } gone)
            {
                yield return (WatchEventType.Deleted, gone); // edited into something unreadable: not left in the cache as it was
            }
        }
    }

    public string KeyOf(TModel item)
    {
        var meta = metadata(item);
        return $"{meta.Namespace}/{meta.Name}";
    }

    public string? ResourceVersionOf(TModel item) => metadata(item).ResourceVersion;

    private TModel? TryRead(JsonElement element)
    {
        var item = CustomResourceReader.Read<TModel>(element, out var problem);
        if (problem is not null)
        {
            var name = element.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("name", out var n) ? n.GetString() : null;
            LogUnreadable(logger, plural, name, item is null ? "skipped" : "kept as unreadable (not acted on)", problem);
        }

        return item;
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Cannot read {Plural} object {Name}, {Outcome}: {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string plural, string? name, string outcome, string problem);
}
