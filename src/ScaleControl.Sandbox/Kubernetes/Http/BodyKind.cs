using System.Reflection;
using System.Text.Json.Nodes;
using k8s.Models;
using ScaleControl.Sandbox.Kubernetes.Api;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// A create or replace whose body is another kind than the URL's resource (a Service posted to the configmaps URL).
/// The apiserver decodes the body as its own kind and then fails to convert it to the URL's internal type, so a
/// built-in resource answers transformDecodeError's 400; a custom resource of the URL's group and version is decoded
/// as is and refused by the strategy's ValidateTypeMeta (a 422 on <c>kind</c>). Nothing is stored as the URL's kind.
/// </summary>
internal static class BodyKind
{
    // The kinds the apiserver's scheme registers, as (apiVersion, kind): the KubernetesClient models are generated from them.
    private static readonly HashSet<(string ApiVersion, string Kind)> s_registered = typeof(V1Pod).Assembly.GetTypes()
        .Select(t => t.GetCustomAttribute<KubernetesEntityAttribute>())
        .OfType<KubernetesEntityAttribute>()
        .Select(a => (a.Group.Length == 0 ? a.ApiVersion : $"{a.Group}/{a.ApiVersion}", a.Kind))
        .ToHashSet();

    /// <param name="name">The object's name for a 422 (the body's on a create, the URL's on a replace).</param>
    public static void Check(ResourceType type, JsonObject body, string name)
    {
        var kind = JsonPaths.GetString(body, "kind");
        // CRDs live in the apiextensions server, whose scheme (and its messages) the sandbox does not copy.
        if (string.IsNullOrEmpty(kind) || kind == type.Kind || type == BuiltInResources.CustomResourceDefinitions)
        {
            return;
        }

        var apiVersion = JsonPaths.GetString(body, "apiVersion") is { Length: > 0 } given ? given : type.GroupVersion;
        var version = apiVersion[(apiVersion.LastIndexOf('/') + 1)..];
        if (type.IsCustom)
        {
            // Another group or version is the API version check's 400; this one decodes and is refused by validation,
            // under the body's kind (the strategy reads an unstructured object's kind from the object).
            if (apiVersion == type.GroupVersion)
            {
                throw ApiErrors.Invalid(kind, type.Group, name, [FieldError.Invalid("kind", JsonValue.Create(kind), $"must be {type.Kind}")]);
            }

            return;
        }

        // The Go types print as package.Type: the versioned package is named for its version, the internal one for its group.
        var cause = s_registered.Contains((apiVersion, kind))
            ? $"converting ({version}.{kind}) to ({InternalPackage(type.Group)}.{type.Kind}): unknown conversion"
            : $"no kind \"{kind}\" is registered for version \"{apiVersion}\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"";
        throw ApiErrors.BadRequest($"{kind} in version \"{version}\" cannot be handled as a {type.Kind}: {cause}");
    }

    // core for the legacy group; events.k8s.io keeps its Events in core's internal type.
    private static string InternalPackage(string group) => group switch
    {
        "" or "events.k8s.io" => "core",
        _ => group.Split('.')[0],
    };
}
