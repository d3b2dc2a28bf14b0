using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScaleControl.Yaml;

/// <summary>
/// Reads YAML (one or many documents) as JSON; compiled into scalectl (policy and config files) and the sandbox
/// (manifests, apply patches). Plain scalars are typed as YAML 1.2's core schema and Kubernetes' YAML decoder type
/// them (null, bool, int, float); quoted ones stay strings. Every failure is a <see cref="YamlException"/>.
/// </summary>
internal static class YamlJson
{
    /// <summary>Reads every document of a (multi-document) YAML text; empty documents are skipped.</summary>
    /// <exception cref="YamlException">The text is not valid YAML, has a key that is not plain text, or is beyond <see cref="YamlBounds"/>.</exception>
    public static IReadOnlyList<JsonNode> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            YamlBounds.Check(yaml);
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections.
            throw new YamlException(Mark.Empty, Mark.Empty, "unexpected end of a [..] or {..} collection", e);
        }

        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonNode>()];
    }

    /// <summary>JSON text as is, otherwise the first YAML document (apply patches may come as either).</summary>
    public static JsonNode? ParseJsonOrYaml(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? JsonNode.Parse(text) : ParseDocuments(text).FirstOrDefault();
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(Key(kv.Key), ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static string Key(YamlNode key) => key is YamlScalarNode { Value: { } text }
        ? text
        : throw new YamlException(key.Start, key.End, "mapping keys must be plain text");

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            // A number has a digit: .NET also reads "NaN" and "Infinity", which are words in YAML and cannot be written as JSON.
            _ when text.Any(char.IsAsciiDigit) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }
}
