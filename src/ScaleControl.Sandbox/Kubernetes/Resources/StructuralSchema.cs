using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Sandbox.Kubernetes.Api;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>
/// A CRD version's structural schema (openAPIV3Schema) applied as the apiextensions apiserver does on every write:
/// nulls of non-nullable fields and unknown fields are pruned, defaults filled in, then types, enums, bounds,
/// patterns and required fields checked, each failure with its field path.
/// </summary>
internal static class StructuralSchema
{
    private static readonly string[] s_rootFields = ["apiVersion", "kind", "metadata"];

    public static List<FieldError> Apply(JsonObject obj, JsonObject schema)
    {
        var errors = new List<FieldError>();
        Object(obj, schema, "", errors, root: true);
        return errors;
    }

    /// <summary>Paths of the fields pruning would drop (null values aside), for <c>fieldValidation</c>.</summary>
    public static List<string> Unknown(JsonObject obj, JsonObject schema)
    {
        var pruned = (JsonObject)obj.DeepClone();
        Apply(pruned, schema);
        var unknown = new List<string>();
        Missing(obj, pruned, "", unknown);
        return unknown;
    }

    private static void Missing(JsonNode? original, JsonNode? pruned, string path, List<string> unknown)
    {
        switch (original, pruned)
        {
            case (JsonObject o, JsonObject p):
                foreach (var (key, value) in o)
                {
                    if (!p.ContainsKey(key))
                    {
                        if (value is not null)
                        {
                            unknown.Add(Join(path, key));
                        }
                    }
                    else
                    {
                        Missing(value, p[key], Join(path, key), unknown);
                    }
                }

                break;
            case (JsonArray o, JsonArray p):
                for (var i = 0; i < Math.Min(o.Count, p.Count); i++)
                {
                    Missing(o[i], p[i], $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static void Value(JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        var type = (string?)schema["type"];
        var intOrString = schema["x-kubernetes-int-or-string"] is JsonValue ios && ios.GetValueKind() == JsonValueKind.True;
        var actual = TypeOf(value);
        if (!(intOrString ? actual is "integer" or "string" : type is null || actual == type || (type == "number" && actual == "integer")))
        {
            errors.Add(FieldError.Invalid(path, value.DeepClone(), $"{path} in body must be of type {(intOrString ? "integer or string" : type)}: \"{actual}\""));
            return;
        }

        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
        {
            errors.Add(FieldError.NotSupported(path, value.DeepClone(), options.Select(o => o?.ToJsonString() ?? "null")));
            return;
        }

        switch (value)
        {
            case JsonObject o:
                Object(o, schema, path, errors, root: false);
                break;
            case JsonArray a:
                Array(a, schema, path, errors);
                break;
            case JsonValue v when actual == "string":
                Text(v.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue v when actual is "integer" or "number":
                Number(NumberOf(v) ?? 0, value, schema, path, errors);
                break;
        }
    }

    private static void Object(JsonObject obj, JsonObject schema, string path, List<FieldError> errors, bool root)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        var preserveUnknown = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue p && p.GetValueKind() == JsonValueKind.True;
        foreach (var key in obj.Select(kv => kv.Key).ToList())
        {
            if (root && s_rootFields.Contains(key))
            {
                continue;
            }

            var fieldSchema = properties?[key] as JsonObject ?? additional;
            if (fieldSchema is null)
            {
                if (!preserveUnknown && (properties is not null || additional is null))
                {
                    obj.Remove(key); // pruned, as unknown fields are
                }

                continue;
            }

            if (obj[key] is null)
            {
                if (fieldSchema["nullable"] is not JsonValue n || n.GetValueKind() != JsonValueKind.True)
                {
                    obj.Remove(key);
                }

                continue;
            }

            Value(obj[key]!, fieldSchema, Join(path, key), errors);
        }

        foreach (var (key, property) in properties ?? [])
        {
            if (!obj.ContainsKey(key) && property?["default"] is { } defaultValue)
            {
                obj[key] = defaultValue.DeepClone();
            }
        }

        foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => (string?)r).OfType<string>())
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required(Join(path, required), ""));
            }
        }
    }

    private static void Array(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        if (Limit(schema, "minItems") is { } min && array.Count < min)
        {
            errors.Add(FieldError.Invalid(path, array.Count, $"{path} in body should have at least {min} items"));
        }

        if (Limit(schema, "maxItems") is { } max && array.Count > max)
        {
            errors.Add(FieldError.Invalid(path, array.Count, $"{path} in body should have at most {max} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is { } item)
                {
                    Value(item, items, $"{path}[{i}]", errors);
                }
            }
        }
    }

    private static void Text(string text, JsonObject schema, string path, List<FieldError> errors)
    {
        if (Limit(schema, "minLength") is { } min && text.Length < min)
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body should be at least {min} chars long"));
        }

        if (Limit(schema, "maxLength") is { } max && text.Length > max)
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body should be at most {max} chars long"));
        }

        if ((string?)schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100)))
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body should match '{pattern}'"));
        }
    }

    private static void Number(double number, JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        var exclusiveMin = schema["exclusiveMinimum"] is JsonValue em && em.GetValueKind() == JsonValueKind.True;
        var exclusiveMax = schema["exclusiveMaximum"] is JsonValue eM && eM.GetValueKind() == JsonValueKind.True;
        if (Bound(schema, "minimum") is { } min && (number < min || (exclusiveMin && number == min)))
        {
            errors.Add(FieldError.Invalid(path, value.DeepClone(), $"{path} in body should be greater than {(exclusiveMin ? "" : "or equal to ")}{Format(min)}"));
        }

        if (Bound(schema, "maximum") is { } max && (number > max || (exclusiveMax && number == max)))
        {
            errors.Add(FieldError.Invalid(path, value.DeepClone(), $"{path} in body should be less than {(exclusiveMax ? "" : "or equal to ")}{Format(max)}"));
        }
    }

    private static string TypeOf(JsonNode value) => value switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => NumberOf(v) is { } d && d == Math.Floor(d) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    // A number however the node was made: parsed (JsonElement) or built in code (int, long, double).
    private static double? NumberOf(JsonValue v) =>
        v.TryGetValue<double>(out var d) ? d
        : v.TryGetValue<long>(out var l) ? l
        : v.TryGetValue<int>(out var i) ? i
        : v.TryGetValue<decimal>(out var m) ? (double)m
        : null;

    private static long? Limit(JsonObject schema, string key) => schema[key] is JsonValue v && NumberOf(v) is { } n ? (long)n : null;

    private static double? Bound(JsonObject schema, string key) => schema[key] is JsonValue v ? NumberOf(v) : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
