using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// The <c>dryRun</c> query of a write, as the apiserver's handlers decode it into CreateOptions, UpdateOptions or
/// PatchOptions and run ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions on it
/// (<c>staging/src/k8s.io/apiserver/pkg/endpoints/handlers</c>): only <c>All</c> is allowed, anything else (repeated
/// values, an empty one) is one 422 on <c>CreateOptions.meta.k8s.io ""</c> (or the update's, the patch's) naming the
/// whole list. A DELETE reads it as its DeleteOptions (see Operations/DeleteOptions); reads ignore it.
/// </summary>
internal static class DryRunParameter
{
    /// <summary>Whether a POST, PUT or PATCH asks for a dry run; any other value is refused as upstream does.</summary>
    public static bool Of(HttpRequest request)
    {
        if (!request.Query.TryGetValue("dryRun", out var values))
        {
            return false;
        }

        var kind = request.Method switch
        {
            "POST" => "CreateOptions",
            "PUT" => "UpdateOptions",
            "PATCH" => "PatchOptions",
            _ => null,
        };
        if (kind is null)
        {
            return false;
        }

        return Error([.. values.Select(v => v ?? "")]) is { } error
            ? throw ApiErrors.Invalid(kind, "meta.k8s.io", "", [error])
            : true;
    }

    /// <summary>ValidateDryRun: every value must be <c>All</c>; the error shows the list as Go's %#v prints a []string.</summary>
    public static FieldError? Error(IReadOnlyList<string> values) =>
        values.All(v => v == "All")
            ? null
            : new FieldError("dryRun", FieldErrorType.NotSupported, "supported values: \"All\"")
            {
                GoValue = "[]string{" + string.Join(", ", values.Select(v => WireJson.Serialize(JsonValue.Create(v)))) + "}",
            };
}
