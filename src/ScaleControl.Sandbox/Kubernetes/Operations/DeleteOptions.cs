using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

/// <summary>
/// The DeleteOptions of a DELETE: its body (kubectl sends <c>{"propagationPolicy":"Background","dryRun":["All"]}</c>),
/// else its query. A dry run there must store nothing, exactly as <c>?dryRun=All</c>.
/// </summary>
internal static class DeleteOptions
{
    private static readonly string[] s_policies = ["Foreground", "Background", "Orphan"];

    /// <summary>Whether the options ask for a dry run; <see cref="Validate"/> has refused any value but <c>All</c>.</summary>
    public static bool IsDryRun(JsonObject? options)
    {
        Validate(options);
        return options?["dryRun"] is JsonArray { Count: > 0 };
    }

    /// <summary>
    /// apimachinery's ValidateDeleteOptions (pkg/apis/meta/v1/validation), which the apiserver's delete handlers run
    /// on the decoded options: orphanDependents and propagationPolicy not both set, a propagationPolicy upstream knows,
    /// dryRun only <c>All</c>. A 422 on kind DeleteOptions.meta.k8s.io with an empty name, every error in one.
    /// </summary>
    public static void Validate(JsonObject? options)
    {
        var errors = new List<FieldError>();
        var policy = options?["propagationPolicy"];
        if (options?["orphanDependents"] is JsonValue && policy is JsonValue)
        {
            errors.Add(FieldError.Invalid("propagationPolicy", policy.DeepClone(), "orphanDependents and deletionPropagation cannot be both set"));
        }

        if (policy is JsonValue && !s_policies.Contains((string?)policy))
        {
            errors.Add(FieldError.NotSupported("propagationPolicy", policy.DeepClone(), [.. s_policies.Select(p => $"\"{p}\""), "\"nil\""]));
        }

        if (options?["dryRun"] is JsonArray values && Http.DryRunParameter.Error([.. values.Select(v => (string?)v ?? "")]) is { } dryRun)
        {
            errors.Add(dryRun);
        }

        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid("DeleteOptions", "meta.k8s.io", "", errors);
        }
    }

    /// <summary>
    /// The options of a DELETE without a body, from its query (the apiserver decodes them with its parameter codec):
    /// gracePeriodSeconds, propagationPolicy, orphanDependents and dryRun. Null when none is given.
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

        if (query.ContainsKey("orphanDependents"))
        {
            // The parameter codec's Convert_Slice_string_To_bool: only "0" and "false" (any case) are false.
            var orphan = query["orphanDependents"].ToString();
            options["orphanDependents"] = orphan != "0" && !orphan.Equals("false", StringComparison.OrdinalIgnoreCase);
        }

        if (query.TryGetValue("dryRun", out var dryRun))
        {
            options["dryRun"] = new JsonArray([.. dryRun.Select(v => JsonValue.Create(v ?? ""))]);
        }

        return options.Count == 0 ? null : options;
    }

    /// <summary>Foreground: the object stays (finalizer <c>foregroundDeletion</c>) until the garbage collector has deleted its dependents.</summary>
    public static bool Foreground(JsonObject? options) => (string?)options?["propagationPolicy"] == "Foreground";

    /// <summary>Orphan (also the legacy <c>orphanDependents: true</c>) keeps the dependents; anything else collects them.</summary>
    public static bool OrphansDependents(JsonObject? options) =>
        (string?)options?["propagationPolicy"] == "Orphan" || (options?["orphanDependents"] is JsonValue v && v.TryGetValue<bool>(out var orphan) && orphan);
}
