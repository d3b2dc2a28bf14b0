using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The garbage collector's part in a foreground deletion (<c>kubectl delete --cascade=foreground</c>,
/// propagationPolicy=Foreground): an owner marked with the <c>foregroundDeletion</c> finalizer stays, readable with
/// its deletionTimestamp, while its dependents are deleted, those whose reference blocks the owner's deletion
/// (blockOwnerDeletion) in the foreground too, the others in the background; once no blocking dependent is left, the
/// finalizer is taken off and the owner goes. A Deployment so goes after its ReplicaSets, which go after their pods.
/// </summary>
internal sealed class ForegroundDeletion(ResourceOperations operations, ResourceCatalog catalog)
{
    private static readonly JsonObject s_foreground = new() { ["propagationPolicy"] = "Foreground" };

    // A few rounds a pass, so a chain of owners (Deployment, ReplicaSet, pods) goes in one pass when nothing holds it.
    private const int RoundsPerPass = 4;

    public void Run()
    {
        for (var round = 0; round < RoundsPerPass && RunOnce(); round++)
        {
        }
    }

    private bool RunOnce()
    {
        var changed = false;
        foreach (var type in catalog.All.DistinctBy(t => t.Storage))
        {
            var owners = operations.Store.Project(type.Storage, o =>
                DeletionRules.IsDeleting(o) && DeletionRules.Finalizers(o).Contains(DeletionRules.ForegroundDeletion)
                    ? (Namespace: JsonPaths.GetString(o, "metadata.namespace") ?? "", Name: JsonPaths.GetString(o, "metadata.name")!, Uid: JsonPaths.GetString(o, "metadata.uid")!)
                    : default((string Namespace, string Name, string Uid)?));
            foreach (var owner in owners.OfType<(string Namespace, string Name, string Uid)>())
            {
                changed |= Collect(type, owner.Namespace, owner.Name, owner.Uid);
            }
        }

        return changed;
    }

    // Deletes the dependents not yet being deleted; true when something changed.
    private bool Collect(ResourceType type, string ns, string name, string uid)
    {
        var dependents = type.Namespaced ? operations.Dependents(ns, uid) : [];
        var changed = false;
        foreach (var (dependentType, item, blocking) in dependents.Where(d => !DeletionRules.IsDeleting(d.Item)))
        {
            operations.DeleteIfPresent(dependentType, ns, JsonPaths.GetString(item, "metadata.name")!, blocking ? s_foreground : null);
            changed = true;
        }

        if (dependents.Any(d => d.Blocking))
        {
            return changed;
        }

        operations.Rewrite(type, ns, name, uid, o =>
            o.Obj("metadata")["finalizers"] = new JsonArray([.. DeletionRules.Finalizers(o).Where(f => f != DeletionRules.ForegroundDeletion).Select(f => (JsonNode)f)]));
        return true;
    }
}
