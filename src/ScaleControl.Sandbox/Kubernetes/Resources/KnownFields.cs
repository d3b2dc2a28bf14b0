using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// The fields a built-in kind has, read from the KubernetesClient model type of that kind (the same field names as
/// the apiserver's Go structs): what <c>fieldValidation=Strict</c> rejects and Warn or Ignore drop.
/// </summary>
internal static class KnownFields
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> s_properties = new();

    /// <summary>Paths (<c>spec.selectr</c>, <c>spec.template.spec.containers[0].imagee</c>) of fields the model does not have.</summary>
    public static List<string> Unknown(JsonObject obj, Type model)
    {
        var unknown = new List<string>();
        Walk(obj, model, "", unknown);
        return unknown;
    }

    /// <summary>Removes the fields at the given paths (as returned by <see cref="Unknown"/>).</summary>
    public static void Remove(JsonObject obj, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            var dot = path.LastIndexOf('.');
            var parent = dot < 0 ? obj : Json.JsonPaths.Get(obj, path[..dot]) as JsonObject;
            parent?.Remove(dot < 0 ? path : path[(dot + 1)..]);
        }
    }

    private static void Walk(JsonNode? node, Type type, string path, List<string> unknown)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (node is JsonArray array && ElementOf(type, typeof(IList<>)) is { } item)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Walk(array[i], item, $"{path}[{i}]", unknown);
            }

            return;
        }

        if (node is not JsonObject obj)
        {
            return;
        }

        if (DictionaryValue(type) is { } value)
        {
            foreach (var (key, child) in obj)
            {
                Walk(child, value, Join(path, key), unknown);
            }

            return;
        }

        if (!IsModel(type))
        {
            return; // object, JsonElement and the like: anything goes
        }

        var properties = s_properties.GetOrAdd(type, Properties);
        foreach (var (key, child) in obj)
        {
            if (properties.TryGetValue(key, out var propertyType))
            {
                Walk(child, propertyType, Join(path, key), unknown);
            }
            else if (!key.StartsWith('$'))
            {
                unknown.Add(Join(path, key)); // "$patch" and "$setElementOrder/..." are strategic-merge directives
            }
        }
    }

    private static bool IsModel(Type type) => type.Namespace == "k8s.Models" && type.IsClass && type.GetProperties().Any(p => p.GetCustomAttribute<JsonPropertyNameAttribute>() is not null);

    private static Dictionary<string, Type> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p.PropertyType))
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.PropertyType, StringComparer.Ordinal);

    private static Type? DictionaryValue(Type type) => ElementOf(type, typeof(IDictionary<,>));

    private static Type? ElementOf(Type type, Type generic) =>
        type.GetInterfaces().Append(type).Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic).Select(i => i.GetGenericArguments()[^1]).FirstOrDefault();

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
