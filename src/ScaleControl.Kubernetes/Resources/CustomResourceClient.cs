using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;

namespace ScaleControl.Kubernetes.Resources;

/// <summary>
/// Writes of one custom resource through the CustomObjects API. Replace, status replace and the conditional delete
/// carry the object's resourceVersion, so a stale write fails with 409, surfaced as <see cref="ConcurrencyConflictException"/>.
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
            return CustomResourceReader.Read<TModel>(body, out _); // a proposal that does not read is none of ScaleControl's
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

    /// <summary>Deletes the object whatever its version; false when it was already gone.</summary>
    public Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        DeleteAsync(@namespace, name, preconditions: null, cancellationToken);

    /// <summary>
    /// Deletes the object only while it still has <paramref name="meta"/>'s resourceVersion (the API server checks
    /// <c>preconditions.resourceVersion</c>; 409 → <see cref="ConcurrencyConflictException"/>); false when it was already gone.
    /// </summary>
    public Task<bool> DeleteIfUnchangedAsync(ObjectMeta meta, CancellationToken cancellationToken) =>
        DeleteAsync(meta.Namespace, meta.Name, new V1Preconditions { ResourceVersion = meta.ResourceVersion }, cancellationToken);

    private async Task<bool> DeleteAsync(string @namespace, string name, V1Preconditions? preconditions, CancellationToken cancellationToken)
    {
        try
        {
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync<JsonElement>(
                ScaleControlResources.Group, ScaleControlResources.Version, @namespace, plural, name,
                body: preconditions is null ? null : new V1DeleteOptions { Preconditions = preconditions },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.NotFound))
        {
            return false;
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.Conflict))
        {
            throw new ConcurrencyConflictException($"{@namespace}/{name}: {ex.Describe()}");
        }
    }

    public static JsonElement Write(TModel model) => JsonSerializer.SerializeToElement(model, CustomResourceJson.Options);

    /// <summary>The object as <see cref="CustomResourceReader"/> reads it (a policy that does not read is its stand-in).</summary>
    public static TModel Read(JsonElement body) =>
        CustomResourceReader.Read<TModel>(body, out var problem) ?? throw new JsonException(problem);

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
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.UnprocessableEntity))
        {
            // The API server's validation refused it (a label it does not take): the caller's to fix, not a server error.
            throw new ObjectInvalidException($"{meta.Namespace}/{meta.Name}: {ex.Describe()}", ex.InvalidFields());
        }
        catch (HttpOperationException ex) when (ex.Is(HttpStatusCode.NotFound) && ex.NotFoundKind() == "namespaces")
        {
            // The API server refuses a create in a namespace that does not exist (it never creates one).
            throw new NamespaceNotFoundException(meta.Namespace);
        }
    }
}
