using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScaleControl.Sandbox.Kubernetes.Json;

/// <summary>Reads YAML (one or many documents) as JSON, typing plain scalars the way Kubernetes' YAML decoder does.</summary>
internal static class YamlJson
{
    /// <exception cref="YamlException">Not YAML, or beyond <see cref="YamlBounds"/>.</exception>
    public static IEnumerable<JsonNode> ParseDocuments(string yaml)
    {
        YamlBounds.Check(yaml);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => Convert(d.RootNode)).OfType<JsonNode>();
    }

    /// <summary>JSON text as is, otherwise the single YAML document (apply patches may come as either).</summary>
    public static JsonNode? ParseJsonOrYaml(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? JsonNode.Parse(text) : ParseDocuments(text).FirstOrDefault();
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && value.Any(char.IsDigit) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }
}
