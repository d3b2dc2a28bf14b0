using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// Checks a built-in object's values against the field types of its KubernetesClient model (the apiserver's Go
/// structs): the first value the apiserver could not decode, e.g. <c>"two"</c> for the int32 <c>spec.replicas</c>.
/// Storing such an object would break every typed client that lists it.
/// </summary>
internal static class TypedFields
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> s_properties = new();

    public static TypeMismatch? FirstMismatch(JsonNode? node, Type model) => Check(node, model, "", model);

    private static TypeMismatch? Check(JsonNode? node, Type type, string path, Type owner)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node is null || type == typeof(object) || type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type))
        {
            return null; // null is every field's zero value; untyped fields take anything
        }

        if (IsStringOrNumber(type))
        {
            return node.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? null : new TypeMismatch(path, node, type, owner);
        }

        if (type == typeof(byte[]))
        {
            return node is JsonValue bytes && bytes.TryGetValue<string>(out var base64) && Convert.TryFromBase64String(base64, new byte[base64.Length], out _)
                ? null
                : new TypeMismatch(path, node, type, owner);
        }

        if (type == typeof(string) || type == typeof(DateTime))
        {
            return node.GetValueKind() == JsonValueKind.String ? null : new TypeMismatch(path, node, type, owner);
        }

        if (type == typeof(bool))
        {
            return node.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : new TypeMismatch(path, node, type, owner);
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(double))
        {
            return IsNumberOf(node, type) ? null : new TypeMismatch(path, node, type, owner);
        }

        if (ElementOf(type, typeof(IDictionary<,>)) is { } value)
        {
            return node is JsonObject map
                ? map.Select(kv => Check(kv.Value, value, Join(path, kv.Key), owner)).FirstOrDefault(m => m is not null)
                : new TypeMismatch(path, node, type, owner);
        }

        if (ElementOf(type, typeof(IList<>)) is { } item)
        {
            return node is JsonArray list
                ? list.Select(e => Check(e, item, path, owner)).FirstOrDefault(m => m is not null)
                : new TypeMismatch(path, node, type, owner);
        }

        if (node is not JsonObject obj)
        {
            return new TypeMismatch(path, node, type, owner);
        }

        var properties = s_properties.GetOrAdd(type, Properties);
        foreach (var (key, child) in obj)
        {
            if (properties.TryGetValue(key, out var propertyType) && Check(child, propertyType, Join(path, key), type) is { } mismatch)
            {
                return mismatch;
            }
        }

        return null;
    }

    // int-or-string and quantities take either a string or a number.
    private static bool IsStringOrNumber(Type type) =>
        type.Name is "IntOrString" or "IntstrIntOrString" or "ResourceQuantity" || type.GetCustomAttribute<JsonConverterAttribute>() is not null;

    private static bool IsNumberOf(JsonNode node, Type type)
    {
        if (node.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }

        // As Go: 2.0 or 1e3 is no integer, and an int32 field takes no more than an int32.
        var text = node.ToJsonString();
        return type == typeof(double)
            || (type == typeof(int)
                ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _));
    }

    private static Dictionary<string, Type> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p.PropertyType))
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.PropertyType, StringComparer.Ordinal);

    private static Type? ElementOf(Type type, Type generic) => type == typeof(string) ? null :
        type.GetInterfaces().Append(type).Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic).Select(i => i.GetGenericArguments()[^1]).FirstOrDefault();

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}

/// <summary>A value the apiserver could not decode, with the words Go's decoders use for it.</summary>
/// <param name="Path">The JSON path without list indices, as encoding/json names it (<c>spec.template.spec.containers.image</c>).</param>
/// <param name="Owner">The model type holding the field (Go's struct, e.g. <c>DeploymentSpec</c>).</param>
internal sealed record TypeMismatch(string Path, JsonNode Value, Type Expected, Type Owner)
{
    /// <summary>encoding/json's error, as a create or update with such a body gets it.</summary>
    public string JsonError => Expected == typeof(byte[]) && Value.GetValueKind() == JsonValueKind.String
        ? "illegal base64 data at input byte 0"
        : $"json: cannot unmarshal {JsonKind} into Go struct field {GoName(Owner, qualified: false)}.{Path} of type {GoName(Expected)}";

    /// <summary>The unstructured converter's error, as a strategic merge or apply patch gets it.</summary>
    public string ConverterError
    {
        get
        {
            var expected = Nullable.GetUnderlyingType(Expected) ?? Expected;
            var from = Value.GetValueKind() switch
            {
                JsonValueKind.Object => "map",
                JsonValueKind.Array => "slice",
                JsonValueKind.String => "string",
                JsonValueKind.Number => "float64",
                _ => "bool",
            };
            return GoName(expected) switch
            {
                var list when list.StartsWith("[]", StringComparison.Ordinal) && list != "[]byte" => $"cannot restore slice from {from}",
                var map when map.StartsWith("map[", StringComparison.Ordinal) => $"cannot restore map from {from}",
                var model when model.Contains('.', StringComparison.Ordinal) => $"cannot restore struct from: {from}",
                var primitive => $"unrecognized type: {primitive}",
            };
        }
    }

    private string JsonKind => Value.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        // A number that does not fit an integer field is named with its text; into any other type just "number".
        JsonValueKind.Number => (Nullable.GetUnderlyingType(Expected) ?? Expected) is var t && (t == typeof(int) || t == typeof(long))
            ? "number " + Value.ToJsonString()
            : "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    private static string GoName(Type type, bool qualified = true)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return "int32";
        if (type == typeof(long)) return "int64";
        if (type == typeof(double)) return "float64";
        if (type == typeof(bool)) return "bool";
        if (type == typeof(string)) return "string";
        if (type == typeof(byte[])) return "[]uint8";
        if (type == typeof(DateTime)) return "v1.Time";
        var generic = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (generic is not null) return $"map[string]{GoName(generic.GetGenericArguments()[1])}";
        generic = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        if (generic is not null) return $"[]{GoName(generic.GetGenericArguments()[0])}";
        // V1DeploymentSpec is Go's v1.DeploymentSpec, V2MetricSpec v2.MetricSpec, Corev1Event v1.Event.
        var match = System.Text.RegularExpressions.Regex.Match(type.Name, "^(?:[A-Z][a-z]+)?(V\\d+(?:alpha\\d+|beta\\d+)?)([A-Z].*)$");
        return !match.Success ? type.Name : qualified ? $"{match.Groups[1].Value.ToLowerInvariant()}.{match.Groups[2].Value}" : match.Groups[2].Value;
    }
}
