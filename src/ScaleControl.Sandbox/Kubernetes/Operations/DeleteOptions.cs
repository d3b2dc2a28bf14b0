using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The DeleteOptions body of a DELETE (kubectl sends <c>{"propagationPolicy":"Background","dryRun":["All"]}</c>):
/// a dry run there must store nothing, exactly as <c>?dryRun=All</c>.
/// </summary>
internal static class DeleteOptions
{
    public static bool IsDryRun(JsonObject? options)
    {
        if (options?["dryRun"] is not JsonArray values)
        {
            return false;
        }

        foreach (var value in values)
        {
            if ((string?)value != "All")
            {
                throw ApiErrors.Invalid("DeleteOptions", "meta.k8s.io", "",
                    [FieldError.NotSupported("dryRun", value?.DeepClone(), ["\"All\""])]);
            }
        }

        return values.Count > 0;
    }

    /// <summary>
    /// The options of a DELETE without a body, from its query (the apiserver decodes them with its parameter codec):
    /// gracePeriodSeconds, propagationPolicy and orphanDependents. Null when none is given.
    /// </summary>
    public static JsonObject? FromQuery(Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        var options = new JsonObject();
        if (query["gracePeriodSeconds"].ToString() is { Length: > 0 } grace)
        {
            options["gracePeriodSeconds"] = long.TryParse(grace, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? seconds
                : throw ApiErrors.BadRequest($"strconv.ParseInt: parsing {JsonValue.Create(ScaleControl.Core.Text.ShownText.Cut(grace, 40))!.ToJsonString()}: invalid syntax");
        }

        if (query["propagationPolicy"].ToString() is { Length: > 0 } policy)
        {
            options["propagationPolicy"] = policy;
        }

        if (query["orphanDependents"].ToString() is { Length: > 0 } orphan)
        {
            options["orphanDependents"] = orphan == "true";
        }

        return options.Count == 0 ? null : options;
    }

    /// <summary>Foreground: the object stays (finalizer <c>foregroundDeletion</c>) until the garbage collector has deleted its dependents.</summary>
    public static bool Foreground(JsonObject? options) => (string?)options?["propagationPolicy"] == "Foreground";

    /// <summary>Orphan (also the legacy <c>orphanDependents: true</c>) keeps the dependents; anything else collects them.</summary>
    public static bool OrphansDependents(JsonObject? options) =>
        (string?)options?["propagationPolicy"] == "Orphan" || (options?["orphanDependents"] is JsonValue v && v.TryGetValue<bool>(out var orphan) && orphan);
}
