using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace ScaleControl.Kubernetes.Tests.Resources;

/// <summary>
/// What the API server does to a custom resource against its structural schema, for the subset our CRDs use:
/// unknown fields are pruned (reported here), types, enums, date-times and required fields are checked.
/// </summary>
internal static class StructuralSchema
{
    public static JsonObject LoadCrd(string fileName)
    {
        var yaml = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "crds", fileName));
        var model = new DeserializerBuilder().Build().Deserialize<object>(yaml);
        var json = new SerializerBuilder().JsonCompatible().Build().Serialize(model);
        return JsonNode.Parse(json)!.AsObject();
    }

    public static JsonObject VersionSchema(JsonObject crd) =>
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject();

    public static List<string> Problems(JsonNode? value, JsonObject schema, string path = "")
    {
        var problems = new List<string>();
        Check(value, schema, path, problems);
        return problems;
    }

    private static void Check(JsonNode? value, JsonObject schema, string path, List<string> problems)
    {
        var type = (string?)schema["type"];
        switch (type)
        {
            case "object":
                if (value is not JsonObject obj)
                {
                    problems.Add($"{path}: expected object");
                    return;
                }

                foreach (var required in schema["required"]?.AsArray().Select(r => (string)r!) ?? [])
                {
                    if (!obj.ContainsKey(required))
                    {
                        problems.Add($"{path}.{required}: required but missing");
                    }
                }

                if (schema["properties"] is not JsonObject properties)
                {
                    return;
                }

                foreach (var (name, child) in obj)
                {
                    if (properties[name] is JsonObject childSchema)
                    {
                        Check(child, childSchema, $"{path}.{name}", problems);
                    }
                    else
                    {
                        problems.Add($"{path}.{name}: not in the schema (would be pruned)");
                    }
                }

                return;
            case "array":
                if (value is not JsonArray array)
                {
                    problems.Add($"{path}: expected array");
                    return;
                }

                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], schema["items"]!.AsObject(), $"{path}[{i}]", problems);
                }

                return;
            case "string":
                if (value is not JsonValue s || !s.TryGetValue<string>(out var text))
                {
                    problems.Add($"{path}: expected string");
                    return;
                }

                if (schema["enum"] is JsonArray allowed && !allowed.Any(a => (string?)a == text))
                {
                    problems.Add($"{path}: '{text}' not in enum");
                }

                if ((string?)schema["format"] == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out _))
                {
                    problems.Add($"{path}: '{text}' is not a date-time");
                }

                return;
            case "integer":
                if (value is not JsonValue integer || !integer.TryGetValue<long>(out _))
                {
                    problems.Add($"{path}: expected integer, got {value?.ToJsonString()}");
                }

                return;
            case "number":
                if (value is not JsonValue n || !n.TryGetValue<double>(out _))
                {
                    problems.Add($"{path}: expected number");
                }

                return;
            case "boolean":
                if (value is not JsonValue b || !b.TryGetValue<bool>(out _))
                {
                    problems.Add($"{path}: expected boolean");
                }

                return;
            default:
                problems.Add($"{path}: schema without a known type '{type}'");
                return;
        }
    }

    /// <summary>The <c>enum</c> of the schema node at a dotted path (arrays are stepped through their items).</summary>
    public static string[] EnumAt(JsonObject schema, string dottedPath) =>
        [.. NodeAt(schema, dottedPath)["enum"]!.AsArray().Select(v => (string)v!)];

    /// <summary>The schema node at a dotted path (arrays are stepped through their items).</summary>
    public static JsonNode NodeAt(JsonObject schema, string dottedPath)
    {
        JsonNode node = schema;
        foreach (var part in dottedPath.Split('.'))
        {
            node = part == "[]" ? node["items"]! : node["properties"]![part]!;
        }

        return node;
    }
}
