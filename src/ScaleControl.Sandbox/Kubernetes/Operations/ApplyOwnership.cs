using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// Server-side apply's field ownership: each apply records the fields its configuration sets in
/// <c>metadata.managedFields</c> (operation Apply, FieldsV1); applying a different value to a field another manager
/// owns — another applier, or a writer recorded as operation Update (<c>kubectl scale</c>, an HPA, ScaleControl) — is
/// the apiserver's 409 conflict (<c>Apply failed with 1 conflict: conflict with "kube-controller-manager" with
/// subresource "scale" using apps/v1: .spec.replicas</c>) unless forced, which takes the field over. Fields the
/// applier set before and now leaves out are removed when no other manager owns them (a container it no longer lists,
/// with the defaults filled into it); associative lists merge item by item by their keys and sets value by value (the
/// kind's <see cref="Resources.ListSchema"/>), so two managers each applying their own finalizer keep both.
/// </summary>
internal static class ApplyOwnership
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="current"/> (null: a create) for its field manager.</summary>
    public static JsonObject Apply(JsonObject? current, PatchRequest patch, string apiVersion, string now)
    {
        var manager = patch.FieldManager!;
        // As schema.GroupVersionKind's String(): the core group prints as "/v1".
        var appliedAs = $"{(apiVersion.Contains('/', StringComparison.Ordinal) ? "" : "/")}{apiVersion}, Kind={(string?)patch.Body?["kind"]}";
        var applied = ManagedFields.Leaves(patch.Body as JsonObject ?? [], patch.Lists, appliedAs).Where(kv => !ManagedFields.IsStatus(kv.Key)).ToDictionary(StringComparer.Ordinal);
        var live = ManagedFields.Leaves(current ?? [], patch.Lists);
        var entries = ManagedFields.EntriesOf(current);
        var previouslyApplied = entries.Where(e => IsOwnApply(e, manager)).SelectMany(e => ManagedFields.FieldPaths(e["fieldsV1"] as JsonObject)).ToList();
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var entry in entries.Where(e => !IsOwnApply(e, manager)))
        {
            var owned = ManagedFields.FieldPaths(entry["fieldsV1"] as JsonObject);
            var contested = owned.Where(p => applied.ContainsKey(p) && live.TryGetValue(p, out var value) && !JsonNode.DeepEquals(value, applied[p])).ToList();
            if (patch.Force)
            {
                entry["fieldsV1"] = ManagedFields.FieldsV1(owned.Except(contested));
            }
            else
            {
                // As structured-merge-diff: a manager's conflicting fields in path order.
                conflicts.AddRange(contested.Order(StringComparer.Ordinal).Select(p => (ManagedFields.Describe(entry), ManagedFields.Display(p))));
            }
        }

        if (conflicts.Count > 0)
        {
            throw Conflict(conflicts);
        }

        var result = patch.ApplyTo(current ?? new JsonObject { ["metadata"] = new JsonObject { ["name"] = patch.Body?["metadata"]?["name"]?.DeepClone() } });
        entries.RemoveAll(e => IsOwnApply(e, manager));

        // As the apiserver: a field this applier set before and now leaves out of its configuration is removed,
        // unless another manager owns it too (then it stays, theirs). A list owned whole before and now value by value
        // (a set recorded by an older sandbox) is not left out while its values are applied or owned.
        var ownedByOthers = entries.SelectMany(e => ManagedFields.FieldPaths(e["fieldsV1"] as JsonObject)).ToHashSet(StringComparer.Ordinal);
        ManagedFields.Remove(result, previouslyApplied.Where(p => !applied.ContainsKey(p) && !ownedByOthers.Contains(p)
            && !applied.Keys.Concat(ownedByOthers).Any(q => ManagedFields.IsBeneath(q, p))), patch.Lists);
        entries.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = apiVersion,
            ["time"] = now,
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = ManagedFields.FieldsV1(applied.Keys),
        });
        ManagedFields.Store(result, entries);
        return result;
    }

    private static bool IsOwnApply(JsonObject entry, string manager) =>
        (string?)entry["manager"] == manager && (string?)entry["operation"] == "Apply" && ((string?)entry["subresource"] ?? "") == "";

    // As the apiserver's NewConflictError: a 409 whose message lists each conflicting field by manager.
    private static ApiException Conflict(List<(string Manager, string Path)> conflicts)
    {
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with {conflicts[0].Manager}: {conflicts[0].Path}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join('\n', conflicts.GroupBy(c => c.Manager).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"conflicts with {g.Key}:\n" + string.Join('\n', g.Select(c => $"- {c.Path}"))));
        var causes = new JsonArray([.. conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {c.Manager}", ["field"] = c.Path,
        })]);
        return new ApiException(ApiErrors.Status(409, "Conflict", message, new JsonObject { ["causes"] = causes }));
    }
}
