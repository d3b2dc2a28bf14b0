using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// A StatefulSet's revisions as the statefulset controller keeps them: one ControllerRevision per pod template, named
/// like its <c>updateRevision</c> (<c>web-5d8f7c9b6x</c>), owned by the StatefulSet, labelled with the template's labels
/// and <c>controller-revision-hash</c>, numbered in order, holding the strategic merge patch that restores the template
/// (<c>{"spec":{"template":{"$patch":"replace",…}}}</c>). Going back to an older template (<c>kubectl rollout undo</c>)
/// renumbers its revision as the newest; beyond <c>revisionHistoryLimit</c> the oldest unused ones are deleted. This
/// is what <c>kubectl rollout history|undo statefulset/…</c> read.
/// </summary>
internal sealed class StatefulSetHistory(ResourceOperations operations)
{
    /// <param name="inUse">The revisions the StatefulSet's pods run (kept whatever the limit).</param>
    public void Sync(WorkloadState statefulSet, string revisionName, IReadOnlySet<string> inUse)
    {
        var stored = operations.Store.Get(BuiltInResources.StatefulSets.Storage, statefulSet.Namespace, statefulSet.Name);
        var historyLimit = JsonPaths.GetInt(stored, "spec.revisionHistoryLimit") ?? 10;
        var revisions = operations.Store.List(BuiltInResources.ControllerRevisions.Storage, statefulSet.Namespace).Items
            .Where(r => IsOwnedBy(r, statefulSet.Uid))
            .OrderBy(r => JsonPaths.GetInt(r, "revision") ?? 0)
            .ToList();
        var newest = revisions.Select(r => JsonPaths.GetInt(r, "revision") ?? 0).DefaultIfEmpty(0).Max();
        var current = revisions.FirstOrDefault(r => JsonPaths.GetString(r, "metadata.name") == revisionName);
        if (current is null)
        {
            try
            {
                operations.Create(BuiltInResources.ControllerRevisions, statefulSet.Namespace, New(statefulSet, stored?["metadata"]?["annotations"] as JsonObject, revisionName, newest + 1), owner: FieldOwner.ControllerManager);
            }
            catch (Api.ApiException e) when (e.Code == 409)
            {
                return; // a namesake of a deleted StatefulSet: the collector removes it this pass
            }
        }
        else if ((JsonPaths.GetInt(current, "revision") ?? 0) < newest)
        {
            operations.Rewrite(BuiltInResources.ControllerRevisions, statefulSet.Namespace, revisionName, JsonPaths.GetString(current, "metadata.uid")!,
                o => o["revision"] = newest + 1, FieldOwner.ControllerManager);
        }

        var unused = revisions.Where(r => !inUse.Contains(JsonPaths.GetString(r, "metadata.name")!) && JsonPaths.GetString(r, "metadata.name") != revisionName).ToList();
        foreach (var old in unused.Take(Math.Max(0, unused.Count - historyLimit)))
        {
            try
            {
                operations.Delete(BuiltInResources.ControllerRevisions, statefulSet.Namespace, JsonPaths.GetString(old, "metadata.name")!, null);
            }
            catch (Api.ApiException e) when (e.Code == 404)
            {
                // Already gone.
            }
        }
    }

    public static bool IsOwnedBy(JsonObject revision, string uid) =>
        (revision["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>().Any(r => (bool?)r["controller"] == true && (string?)r["uid"] == uid) == true;

    // As upstream's newRevision: the StatefulSet's annotations (kubernetes.io/change-cause among them) are copied.
    private static JsonObject New(WorkloadState statefulSet, JsonObject? annotations, string name, int revision)
    {
        var template = (JsonObject)statefulSet.Template.DeepClone();
        template["$patch"] = "replace";
        var labels = statefulSet.Template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        labels["controller-revision-hash"] = name;
        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = statefulSet.Namespace,
                ["labels"] = labels,
                ["annotations"] = annotations?.DeepClone() ?? new JsonObject(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1", ["kind"] = "StatefulSet", ["name"] = statefulSet.Name, ["uid"] = statefulSet.Uid,
                    ["controller"] = true, ["blockOwnerDeletion"] = true,
                }),
            },
            ["data"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = template } },
            ["revision"] = revision,
        };
    }
}
