using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Yaml;

namespace ScaleControl.Sandbox.Kubernetes.Operations;

internal enum PatchKind { Json, Merge, StrategicMerge, Apply }

/// <summary>A PATCH body and how to apply it, chosen by Content-Type like the apiserver does.</summary>
internal sealed record PatchRequest(PatchKind Kind, JsonNode? Body, string? FieldManager)
{
    /// <summary>The model the patched object must decode into (a built-in kind's, or the Scale's); null for custom resources.</summary>
    public Type? Model { get; init; }

    /// <summary>An apply with <c>force=true</c> takes over fields other appliers own instead of failing on them.</summary>
    public bool Force { get; init; }

    /// <summary>The patched kind's lists: which merge item by item (containers by name, ports by containerPort) and which are replaced.</summary>
    public ListSchema Lists { get; init; } = ListSchema.BuiltIn;

    public static PatchRequest Parse(string? contentType, string body, string? fieldManager, bool force, bool isCustomResource)
    {
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        var kind = mediaType switch
        {
            "application/json-patch+json" => PatchKind.Json,
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" when !isCustomResource => PatchKind.StrategicMerge,
            "application/apply-patch+yaml" or "application/apply-patch+cbor" => PatchKind.Apply,
            _ => throw ApiErrors.UnsupportedMediaType(isCustomResource),
        };

        if (kind == PatchKind.Apply && string.IsNullOrEmpty(fieldManager))
        {
            throw ApiErrors.Invalid("PatchOptions", "meta.k8s.io", "", [FieldError.Required("fieldManager", "is required for apply patch")]);
        }

        if (kind != PatchKind.Apply && force)
        {
            throw ApiErrors.Invalid("PatchOptions", "meta.k8s.io", "", [FieldError.Forbidden("force", "may not be specified for non-apply patch")]);
        }

        try
        {
            var node = kind == PatchKind.Apply ? YamlJson.ParseJsonOrYaml(body) : JsonNode.Parse(body);
            return new PatchRequest(kind, node, fieldManager) { Force = force };
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw ApiErrors.BadRequest($"error decoding patch: {e.Message}");
        }
    }

    /// <summary>The object after the patch (server-side apply merges the applied configuration; ApplyOwnership removes what it dropped).</summary>
    public JsonObject ApplyTo(JsonObject current)
    {
        var result = Kind switch
        {
            PatchKind.Json => JsonPatch.Apply(current, Body),
            PatchKind.StrategicMerge => MergePatch.Strategic(current.DeepClone(), Body, Lists),
            PatchKind.Apply => MergePatch.Applied(current.DeepClone(), Body, Lists),
            _ => MergePatch.Apply(current.DeepClone(), Body),
        };
        var patched = result as JsonObject ?? throw ApiErrors.BadRequest("the patch did not produce an object");
        if (Model is not null && TypedFields.FirstMismatch(patched, Model) is { } mismatch)
        {
            // As the apiserver: a strategic merge (or apply) patch is quoted and converted; a JSON or merge patch's
            // result is decoded as JSON.
            throw Kind is PatchKind.StrategicMerge or PatchKind.Apply
                ? ApiErrors.InvalidPatch(GoFormat.Of(Body), mismatch.ConverterError)
                : ApiErrors.InvalidPatch(patched.ToJsonString(), mismatch.JsonError);
        }

        return patched;
    }
}
