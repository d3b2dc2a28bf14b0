using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// Writes of one custom resource through the CustomObjects API. Replace and status replace carry the object's
/// resourceVersion, so a stale write fails with 409, surfaced as <see cref="ConcurrencyConflictException"/>.
/// </summary>
public sealed class CustomResourceClient<TModel>(IKubernetes client, string plural, string fieldManager)
    where TModel : class
{
    public async Task<TModel?> GetAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            var body = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(
                ScaleControlResources.Group, ScaleControlResources.Version, @namespace, plural, name, cancellationToken).ConfigureAwait(false);
            return Read(body);
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.NotFound))
        {
            return null;
        }
    }

    public Task<TModel> CreateAsync(TModel model, ObjectMeta meta, CancellationToken cancellationToken) =>
        Call(meta, () => client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(
            Write(model), ScaleControlResources.Group, ScaleControlResources.Version, meta.Namespace, plural,
            fieldManager: fieldManager, cancellationToken: cancellationToken));

    public Task<TModel> ReplaceAsync(TModel model, ObjectMeta meta, CancellationToken cancellationToken) =>
        Call(meta, () => client.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonElement>(
            Write(model), ScaleControlResources.Group, ScaleControlResources.Version, meta.Namespace, plural, meta.Name,
            fieldManager: fieldManager, cancellationToken: cancellationToken));

    public Task<TModel> ReplaceStatusAsync(TModel model, ObjectMeta meta, CancellationToken cancellationToken) =>
        Call(meta, () => client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<JsonElement>(
            Write(model), ScaleControlResources.Group, ScaleControlResources.Version, meta.Namespace, plural, meta.Name,
            fieldManager: fieldManager, cancellationToken: cancellationToken));

    public async Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync<JsonElement>(
                ScaleControlResources.Group, ScaleControlResources.Version, @namespace, plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.NotFound))
        {
            return false;
        }
    }

    public static JsonElement Write(TModel model) => JsonSerializer.SerializeToElement(model, CustomResourceJson.Options);

    public static TModel Read(JsonElement body) =>
        body.Deserialize<TModel>(CustomResourceJson.Options) ?? throw new JsonException($"Empty {typeof(TModel).Name} body");

    private static async Task<TModel> Call(ObjectMeta meta, Func<Task<JsonElement>> call)
    {
        try
        {
            return Read(await call().ConfigureAwait(false));
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.Conflict))
        {
            throw new ConcurrencyConflictException($"{meta.Namespace}/{meta.Name}: {ex.Describe()}");
        }
    }
}
