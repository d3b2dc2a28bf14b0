using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// OpenAPI v3 discovery: per group-version documents that declare, for every kind, a PATCH operation accepting
/// <c>fieldValidation</c> (what kubectl apply checks to validate on the server), and the kinds' schemas for
/// <c>kubectl explain</c>: custom resources' from their CRD's openAPIV3Schema, built-in kinds' from their model types
/// (<see cref="ModelSchemas"/>). The PATCH operations declare no request body, so kubectl computes strategic merge
/// patches from its compiled-in types (built-ins) or sends JSON merge patches (custom resources), as before.
/// </summary>
internal static class OpenApiV3
{
    /// <param name="mountPath">Path of the API root, e.g. <c>/k8s</c>; serverRelativeURL is resolved from the host root.</param>
    public static JsonObject Root(ResourceCatalog catalog, string mountPath)
    {
        var paths = new JsonObject();
        foreach (var gv in catalog.All.Select(t => (t.Group, t.Version)).Distinct())
        {
            var key = GroupVersionPath(gv.Group, gv.Version);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint(catalog, gv.Group, gv.Version))));
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"{mountPath.TrimEnd('/')}/openapi/v3/{key}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    // What a group-version's document is made of (built-in schemas follow from their model types), so the hash
    // kubectl caches the document under changes with it without building it.
    // The layout mark changes when the way documents are built does, so a kubectl cache from an older sandbox is not read.
    private const string Layout = "crd-object-meta";

    private static string Fingerprint(ResourceCatalog catalog, string group, string version) =>
        Layout + '\n' + string.Join('\n', catalog.All.Where(t => t.Group == group && t.Version == version)
            .Select(t => $"{t.Plural}|{t.Kind}|{t.Namespaced}|{t.Model?.FullName}|{t.Schema?.ToJsonString()}"));

    public static JsonObject? GroupVersion(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        foreach (var t in types)
        {
            var itemPath = "/" + GroupVersionPath(group, version) + (t.Namespaced ? "/namespaces/{namespace}/" : "/") + t.Plural + "/{name}";
            paths[itemPath] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{t.Kind}",
                    ["parameters"] = new JsonArray(
                        Query("dryRun"), Query("fieldManager"), Query("fieldValidation"), Query("force")),
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "ScaleControl sandbox", ["version"] = version },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = Schemas(types, group, version) },
        };
    }

    // A custom resource's schema as the apiserver publishes it (named by the reversed group, tagged with its GVK),
    // and a built-in kind's from its model type: what kubectl explain looks up (kubectl explain scalepolicy.spec,
    // kubectl explain deployment.spec.strategy).
    private static JsonObject Schemas(IEnumerable<ResourceType> types, string group, string version)
    {
        var schemas = new JsonObject();
        foreach (var t in types.Where(t => t.Schema is null && t.Model is not null))
        {
            foreach (var (name, schema) in ModelSchemas.For(t.Model!, group, version, t.Kind).ToList())
            {
                if (schemas[name] is JsonObject known && schema?["x-kubernetes-group-version-kind"] is { } gvk)
                {
                    known["x-kubernetes-group-version-kind"] = gvk.DeepClone();
                }
                else if (!schemas.ContainsKey(name))
                {
                    schemas[name] = schema?.DeepClone();
                }
            }
        }

        // As the apiextensions server's buildKubeNative: TypeMeta's apiVersion and kind over whatever the CRD says, and
        // metadata a reference to ObjectMeta, so explain shows <ObjectMeta> and its fields.
        var (objectMeta, objectMetaName) = ModelSchemas.Of(typeof(k8s.Models.V1ObjectMeta));
        foreach (var t in types.Where(t => t.Schema is not null))
        {
            var schema = (JsonObject)t.Schema!.DeepClone();
            var properties = schema.Obj("properties");
            properties["apiVersion"] = Documented("string", ApiVersionDescription);
            properties["kind"] = Documented("string", KindDescription);
            properties["metadata"] = new JsonObject
            {
                ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = $"#/components/schemas/{objectMetaName}" }),
                ["description"] = MetadataDescription,
            };
            foreach (var (name, metaSchema) in objectMeta)
            {
                schemas[name] ??= metaSchema?.DeepClone();
            }

            schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = group, ["kind"] = t.Kind, ["version"] = version });
            schemas[$"{string.Join('.', group.Split('.').Reverse())}.{version}.{t.Kind}"] = schema;
        }

        return schemas;
    }

    private static JsonObject Documented(string type, string description) => new() { ["description"] = description, ["type"] = type };

    private const string ApiVersionDescription = "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
        + "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
        + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";

    private const string KindDescription = "Kind is a string value representing the REST resource this object represents. Servers may infer this "
        + "from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
        + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

    private const string MetadataDescription = "Standard object's metadata. More info: "
        + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    private static JsonObject Query(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = name == "force" ? "boolean" : "string" },
    };

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
}
