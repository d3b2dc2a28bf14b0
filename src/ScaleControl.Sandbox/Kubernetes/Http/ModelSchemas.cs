using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.Kubernetes.Http;

/// <summary>
/// OpenAPI v3 schemas of built-in kinds for <c>kubectl explain</c>, built from the KubernetesClient model types (the
/// apiserver's Go structs: same field names and types) and their descriptions (the apiserver's own field docs, which
/// the package's XML documentation carries; trimmed and embedded at build). Shaped as the apiserver publishes them:
/// a schema per type named after it (<c>…DeploymentSpec</c>, which explain prints as <c>&lt;DeploymentSpec&gt;</c>),
/// fields that are objects as <c>allOf</c> a <c>$ref</c> with the field's own description, required numbers and
/// booleans (the models do not mark other required fields), and the kind's schema tagged with <c>x-kubernetes-group-version-kind</c>. No patch strategy
/// extensions are published, so kubectl still computes strategic merge patches from its compiled-in types.
/// </summary>
internal static class ModelSchemas
{
    private const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

    private static readonly Lazy<Dictionary<string, string>> s_docs = new(LoadDocs);
    private static readonly ConcurrentDictionary<Type, JsonObject> s_closures = new();

    /// <summary>The schemas of <paramref name="model"/> and every model type it reaches, by schema name.</summary>
    public static JsonObject For(Type model, string group, string version, string kind)
    {
        var schemas = (JsonObject)s_closures.GetOrAdd(model, Closure).DeepClone();
        ((JsonObject)schemas[NameOf(model)]!)["x-kubernetes-group-version-kind"] =
            new JsonArray(new JsonObject { ["group"] = group, ["kind"] = kind, ["version"] = version });
        return schemas;
    }

    /// <summary>The schemas of <paramref name="model"/> and every type it reaches, untagged, and the name of its own.</summary>
    public static (JsonObject Schemas, string Name) Of(Type model) => ((JsonObject)s_closures.GetOrAdd(model, Closure).DeepClone(), NameOf(model));

    private static JsonObject Closure(Type model)
    {
        var schemas = new JsonObject();
        var pending = new Queue<Type>([model]);
        while (pending.TryDequeue(out var type))
        {
            if (schemas.ContainsKey(NameOf(type)))
            {
                continue;
            }

            var properties = new JsonObject();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name is not { } name)
                {
                    continue;
                }

                var schema = SchemaOf(property.PropertyType, pending);
                var description = Doc($"P:{type.Name}.{property.Name}");
                properties[name] = schema.ContainsKey("$ref")
                    ? new JsonObject { ["allOf"] = new JsonArray(schema), ["default"] = new JsonObject(), ["description"] = description }
                    : WithDescription(schema, description);
            }

            var typeSchema = new JsonObject { ["description"] = Doc($"T:{type.Name}"), ["type"] = "object", ["properties"] = properties };
            if (Required(type) is { Count: > 0 } required)
            {
                typeSchema["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]);
            }

            schemas[NameOf(type)] = typeSchema;
        }

        // As the apiserver: a string or a number, so explain names it <Quantity>. The client's doc opens with a note on its C# port.
        var quantity = Doc("T:ResourceQuantity");
        schemas[Quantity] = new JsonObject
        {
            ["description"] = quantity.IndexOf("Quantity is", StringComparison.Ordinal) is >= 0 and var start ? quantity[start..] : quantity,
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
        };

        // As the apiserver's v3 (IntOrString's OpenAPIV3OneOfTypes): an integer or a string behind a $ref, with no type
        // of its own, so explain names it <IntOrString> (a ref to a typed schema would print that type).
        schemas[IntOrString] = new JsonObject
        {
            ["description"] = "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
            ["format"] = "int-or-string",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
        };
        return schemas;
    }

    private static JsonObject SchemaOf(Type type, Queue<Type> pending)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return new JsonObject { ["type"] = "number", ["format"] = "double" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type == typeof(byte[]))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }

        if (type.Name is "IntOrString" or "IntstrIntOrString")
        {
            return new JsonObject { ["$ref"] = $"#/components/schemas/{IntOrString}" };
        }

        if (type.Name == "ResourceQuantity")
        {
            return new JsonObject { ["$ref"] = $"#/components/schemas/{Quantity}" };
        }

        if (ElementOf(type, typeof(IDictionary<,>)) is { } value)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Inline(SchemaOf(value, pending)) };
        }

        if (type != typeof(string) && ElementOf(type, typeof(IList<>)) is { } item)
        {
            return new JsonObject { ["type"] = "array", ["items"] = Inline(SchemaOf(item, pending)) };
        }

        if (type.Namespace == "k8s.Models" && type.IsClass && type.GetProperties().Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null))
        {
            pending.Enqueue(type);
            return new JsonObject { ["$ref"] = $"#/components/schemas/{NameOf(type)}" };
        }

        return new JsonObject { ["type"] = "object" }; // RawExtension, JSON and the like: any object
    }

    // As the apiserver: an array's items or a map's values that are objects are a plain $ref (with a default).
    private static JsonObject Inline(JsonObject schema) =>
        schema.ContainsKey("$ref") ? new JsonObject { ["allOf"] = new JsonArray(schema), ["default"] = new JsonObject() } : schema;

    private static JsonObject WithDescription(JsonObject schema, string description)
    {
        var described = new JsonObject { ["description"] = description };
        foreach (var (key, value) in schema)
        {
            described[key] = value?.DeepClone();
        }

        return described;
    }

    // The models mark a required field only when it is a number or boolean (not nullable, e.g. the HPA's
    // maxReplicas); required objects and strings are nullable references like the optional ones.
    private static List<string> Required(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsValueType && Nullable.GetUnderlyingType(p.PropertyType) is null)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name)
            .OfType<string>()];

    // V1DeploymentSpec → io.k8s.v1.DeploymentSpec: explain prints the part after the last dot.
    private static string NameOf(Type type)
    {
        var name = type.Name;
        var split = 0;
        if (name.StartsWith('V') && name.Length > 1 && char.IsDigit(name[1]))
        {
            split = 2;
            while (split < name.Length && (char.IsDigit(name[split]) || char.IsLower(name[split])))
            {
                split++;
            }
        }
        else if (name.IndexOf("v1", StringComparison.Ordinal) is > 0 and var at && char.IsUpper(name[at + 2]))
        {
            split = at + 2; // Corev1Event, Eventsv1Event
        }

        return $"io.k8s.{(split == 0 ? "api" : name[..split].ToLowerInvariant())}.{name[split..]}";
    }

    private static string Doc(string member) => s_docs.Value.TryGetValue(member, out var text) ? text : "";

    private static Dictionary<string, string> LoadDocs()
    {
        using var stream = typeof(ModelSchemas).Assembly.GetManifestResourceStream("kubernetes-model-docs.txt");
        var docs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (stream is null)
        {
            return docs;
        }

        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t');
            if (tab > 0)
            {
                docs[line[..tab]] = line[(tab + 1)..];
            }
        }

        return docs;
    }

    private static Type? ElementOf(Type type, Type generic) =>
        type.GetInterfaces().Append(type).Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic).Select(i => i.GetGenericArguments()[^1]).FirstOrDefault();
}
