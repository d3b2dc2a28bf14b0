using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// The <c>fieldValidation</c> query parameter (kubectl sends Strict): unknown fields in a body are a 400 strict
/// decoding error (Strict), dropped with a Warning header (Warn, the default) or dropped silently (Ignore).
/// Built-in kinds know their fields from their model types, custom resources from their CRD's schema.
/// </summary>
internal static class FieldValidation
{
    public static void Check(ResourceType type, JsonObject? body, HttpContext context)
    {
        var mode = context.Request.Query["fieldValidation"].ToString();
        if (mode is not ("" or "Strict" or "Warn" or "Ignore"))
        {
            throw ApiErrors.BadRequest($"fieldValidation: Unsupported value: \"{mode}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }

        if (body is null)
        {
            return;
        }

        var unknown = type.Model is { } model ? KnownFields.Unknown(body, model)
            : type.Schema is { } schema ? StructuralSchema.Unknown(body, schema)
            : [];
        if (unknown.Count == 0)
        {
            return;
        }

        var reasons = unknown.Select(path => $"unknown field \"{path}\"").ToList();
        if (mode == "Strict")
        {
            throw ApiErrors.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", reasons)}");
        }

        KnownFields.Remove(body, unknown);
        if (mode != "Ignore")
        {
            foreach (var reason in reasons)
            {
                context.Response.Headers.Append("Warning", $"299 - \"{reason.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
            }
        }
    }
}
