using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The apiserver's graceful-deletion bookkeeping in metadata: a DELETE of an object with finalizers only marks it
/// (deletionTimestamp, deletionGracePeriodSeconds 0) and the object stays until its finalizers are gone; once marked, the
/// marks never change and no finalizer may be added (apimachinery ValidateObjectMetaUpdate).
/// </summary>
internal static class DeletionRules
{
    /// <summary>The finalizer a foreground deletion puts on the owner; the garbage collector takes it off once the dependents are gone.</summary>
    public const string ForegroundDeletion = "foregroundDeletion";

    public static bool IsDeleting(JsonObject o) => o["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>As the registry's deletionFinalizersForGarbageCollection for propagationPolicy=Foreground.</summary>
    public static void AddForegroundFinalizer(JsonObject o)
    {
        var metadata = (JsonObject)o["metadata"]!;
        if (!Finalizers(o).Contains(ForegroundDeletion))
        {
            var finalizers = metadata["finalizers"] as JsonArray ?? [];
            finalizers.Add(ForegroundDeletion);
            metadata["finalizers"] = finalizers;
        }
    }

    public static IReadOnlyList<string> Finalizers(JsonObject o) =>
        (o["metadata"]?["finalizers"] as JsonArray ?? []).Select(f => (string?)f).OfType<string>().ToList();

    /// <summary>Marks <paramref name="o"/> as being deleted (a no-op when it already is).</summary>
    public static JsonObject MarkDeleting(JsonObject o, string now)
    {
        var metadata = (JsonObject)o["metadata"]!;
        if (metadata["deletionTimestamp"] is null)
        {
            metadata["deletionTimestamp"] = now;
            metadata["deletionGracePeriodSeconds"] = 0;
        }

        return o;
    }

    /// <summary>An update keeps the deletion marks of the stored object (a client can neither set nor clear them).</summary>
    public static void KeepMarks(JsonObject current, JsonObject next)
    {
        var metadata = (JsonObject)next["metadata"]!;
        foreach (var key in new[] { "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            metadata[key] = current["metadata"]?[key]?.DeepClone();
            if (metadata[key] is null)
            {
                metadata.Remove(key);
            }
        }
    }

    /// <summary>A create starts without deletion marks, whatever the body says.</summary>
    public static void DropMarks(JsonObject metadata)
    {
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
    }

    /// <summary>ValidateNoNewFinalizers: an object being deleted may lose finalizers, never gain one.</summary>
    public static IEnumerable<FieldError> NoNewFinalizers(JsonObject current, JsonObject next)
    {
        if (!IsDeleting(current))
        {
            return [];
        }

        var added = Finalizers(next).Except(Finalizers(current), StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return added.Count == 0
            ? []
            : [FieldError.Forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{"
                + string.Join(", ", added.Select(f => JsonValue.Create(f).ToJsonString())) + "}")];
    }
}
