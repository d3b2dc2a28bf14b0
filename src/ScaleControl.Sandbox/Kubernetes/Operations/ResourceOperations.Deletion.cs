using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Auth;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// Deletion as the apiserver and its controllers do it: an object held up (by metadata.finalizers; a namespace also by
/// its content, a CRD by its custom resources) is only marked (<see cref="DeletionRules"/>) and answered 200 with the
/// object; it goes when the last hold is released, by an update that empties its finalizers or by the removal of the
/// last object it contains. What follows a removal (CRD unserved, roles re-aggregated, a terminating namespace or CRD
/// released) runs then.
/// </summary>
internal sealed partial class ResourceOperations
{
    public JsonObject Delete(ResourceType type, string ns, string name, JsonObject? options, bool dryRun = false)
    {
        var expectedVersion = JsonPaths.GetString(options, "preconditions.resourceVersion");
        var expectedUid = JsonPaths.GetString(options, "preconditions.uid");
        var foreground = DeleteOptions.Foreground(options);
        var (result, removed) = store.WriteOrRemove(type.Storage, type.Namespaced ? ns : "", name, current =>
        {
            if (current is null)
            {
                throw ApiErrors.NotFound(type, name);
            }

            // As the apiserver's storage Preconditions.Check: uid first, then resourceVersion, each a 409 Conflict.
            if (expectedUid is not null && expectedUid != JsonPaths.GetString(current, "metadata.uid"))
            {
                throw ApiErrors.Conflict(type, name, $"Precondition failed: UID in precondition: {expectedUid}, UID in object meta: {JsonPaths.GetString(current, "metadata.uid")}");
            }

            var currentVersion = JsonPaths.GetString(current, "metadata.resourceVersion");
            if (expectedVersion is not null && expectedVersion != currentVersion)
            {
                throw ApiErrors.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {expectedVersion}, ResourceVersion in object meta: {currentVersion}");
            }

            // A pod's pending graceful deletion takes no new finalizers from the options (store.go's pendingGraceful).
            var (marked, pending) = type == BuiltInResources.Pods ? PodGracePeriod.Mark(current, options, time.GetUtcNow()) : (DeletionRules.MarkDeleting(current, Now()), false);
            if (foreground && !pending)
            {
                DeletionRules.AddForegroundFinalizer(marked);
            }

            if (type == BuiltInResources.Namespaces)
            {
                marked.Obj("status")["phase"] = "Terminating";
            }

            return marked;
        }, next => !HeldUp(type, next) && !TwoStep(type, dryRun), dryRun);

        // store.go's updateForGracefulDeletionAndFinalizers: a pod's marks are written first (MODIFIED, grace period 0
        // when it goes now), then it is deleted (DELETED), so a watch sees both, as kubectl get pods -w shows them.
        if (TwoStep(type, dryRun) && !HeldUp(type, result))
        {
            try
            {
                (result, removed) = store.WriteOrRemove(type.Storage, ns, name, current => current ?? throw ApiErrors.NotFound(type, name), next => !HeldUp(type, next));
            }
            catch (ApiException e) when (e.Code == 404)
            {
                removed = true; // removed meanwhile (the race upstream tolerates with ignoreNotFound)
            }
        }

        if (!dryRun && DeleteOptions.OrphansDependents(options) && JsonPaths.GetString(result, "metadata.uid") is { } deletedUid)
        {
            Orphan(ns, deletedUid);
        }

        if (!removed)
        {
            if (!dryRun)
            {
                // The namespace and CRD cleanup controllers: the content goes (as far as its own finalizers let it).
                if (type == BuiltInResources.Namespaces)
                {
                    DeleteContents(catalog.All.Where(t => t.Namespaced), name);
                    Release(type, "", name);
                }
                else if (type == BuiltInResources.CustomResourceDefinitions)
                {
                    DeleteContents(CrdResourceTypes.From(result).Take(1), null);
                    Release(type, "", name);
                }
            }

            return ToView(type, result);
        }

        if (!dryRun)
        {
            AfterRemoval(type, result);
        }

        return type.ReturnsDeletedObject ? ToView(type, result) : ApiErrors.Success(type, name, JsonPaths.GetString(result, "metadata.uid"));
    }

    private static bool TwoStep(ResourceType type, bool dryRun) => type == BuiltInResources.Pods && !dryRun;

    /// <summary>A controller's delete: an object already gone is fine.</summary>
    public void DeleteIfPresent(ResourceType type, string ns, string name, JsonObject? options = null)
    {
        try
        {
            Delete(type, ns, name, options);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Already gone.
        }
    }

    // Whether a marked object must stay: its grace period (a pod), its finalizers, a namespace's content, a CRD's custom resources.
    private bool HeldUp(ResourceType type, JsonObject stored)
    {
        if (!DeletionRules.IsDeleting(stored) || PodGracePeriod.Pending(stored) > 0 || DeletionRules.Finalizers(stored).Count > 0)
        {
            return true;
        }

        var name = JsonPaths.GetString(stored, "metadata.name")!;
        return type == BuiltInResources.Namespaces
            ? catalog.All.Where(t => t.Namespaced).DistinctBy(t => t.Storage).Any(t => store.Any(t.Storage, name))
            : type == BuiltInResources.CustomResourceDefinitions && CrdResourceTypes.From(stored).Take(1).Any(t => store.Any(t.Storage, null));
    }

    // Removes a marked object once nothing holds it up any more (nothing when it is gone already).
    private void Release(ResourceType type, string key, string name)
    {
        try
        {
            var (result, removed) = store.WriteOrRemove(type.Storage, key, name, current => current ?? throw ApiErrors.NotFound(type, name), next => !HeldUp(type, next));
            if (removed)
            {
                AfterRemoval(type, result);
            }
        }
        catch (ApiException e) when (e.Code == 404)
        {
            // Released meanwhile (its last content's removal released it).
        }
    }

    private void AfterRemoval(ResourceType type, JsonObject removed)
    {
        if (type == BuiltInResources.CustomResourceDefinitions)
        {
            catalog.UnregisterCrd(JsonPaths.GetString(removed, "metadata.name")!);
        }
        else if (type == RbacResources.ClusterRoles)
        {
            ClusterRoleAggregation.Run(this);
        }

        ReleaseContainer(BuiltInResources.Namespaces, type.Namespaced ? JsonPaths.GetString(removed, "metadata.namespace") : null);
        ReleaseContainer(BuiltInResources.CustomResourceDefinitions, type.IsCustom ? type.QualifiedName : null);
    }

    private void ReleaseContainer(ResourceType type, string? name)
    {
        if (name is not null && store.Get(type.Storage, "", name) is { } container && DeletionRules.IsDeleting(container))
        {
            Release(type, "", name);
        }
    }

    private void DeleteContents(IEnumerable<ResourceType> types, string? ns)
    {
        foreach (var type in types.DistinctBy(t => t.Storage))
        {
            foreach (var item in store.List(type.Storage, ns).Items)
            {
                try
                {
                    Delete(type, JsonPaths.GetString(item, "metadata.namespace") ?? "", JsonPaths.GetString(item, "metadata.name")!, null);
                }
                catch (ApiException e) when (e.Code == 404)
                {
                    // Gone meanwhile.
                }
            }
        }
    }

    /// <summary>
    /// The objects in <paramref name="ns"/> whose ownerReferences name <paramref name="ownerUid"/>, with whether that
    /// reference blocks the owner's deletion (blockOwnerDeletion).
    /// </summary>
    public List<(ResourceType Type, JsonObject Item, bool Blocking)> Dependents(string ns, string ownerUid)
    {
        var dependents = new List<(ResourceType, JsonObject, bool)>();
        foreach (var type in catalog.All.Where(t => t.Namespaced).DistinctBy(t => t.Storage))
        {
            dependents.AddRange(store.Project(type.Storage, item =>
                    JsonPaths.GetString(item, "metadata.namespace") == ns
                    && (item["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => (string?)r["uid"] == ownerUid) is { } reference
                        ? ((ResourceType, JsonObject, bool)?)(type, (JsonObject)item.DeepClone(), reference["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var blocks) && blocks)
                        : null)
                .OfType<(ResourceType, JsonObject, bool)>());
        }

        return dependents;
    }

    // As the garbage collector for propagationPolicy=Orphan: the dependents stay, without the owner's reference.
    private void Orphan(string ns, string ownerUid)
    {
        foreach (var type in new[] { BuiltInResources.ReplicaSets, BuiltInResources.Pods })
        {
            foreach (var item in store.List(type.Storage, ns).Items)
            {
                if (item["metadata"]?["ownerReferences"] is JsonArray references && references.Any(r => (string?)r?["uid"] == ownerUid))
                {
                    Rewrite(type, ns, JsonPaths.GetString(item, "metadata.name")!, JsonPaths.GetString(item, "metadata.uid")!, o =>
                    {
                        var kept = new JsonArray(references.Where(r => (string?)r?["uid"] != ownerUid).Select(r => r!.DeepClone()).ToArray());
                        if (kept.Count == 0)
                        {
                            o.Obj("metadata").Remove("ownerReferences");
                        }
                        else
                        {
                            o.Obj("metadata")["ownerReferences"] = kept;
                        }
                    });
                }
            }
        }
    }
}
