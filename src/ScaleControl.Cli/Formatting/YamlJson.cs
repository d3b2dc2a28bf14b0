using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace ScaleControl.Cli.Formatting;

/// <summary>Converts between YAML documents and the JSON the REST API speaks.</summary>
internal static class YamlJson
{
    private static readonly ISerializer s_serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    /// <summary>Reads every document of a (multi-document) YAML text; empty documents are skipped.</summary>
    /// <exception cref="YamlException">The text is not valid YAML, or beyond <see cref="YamlBounds"/>.</exception>
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

        return [.. stream.Documents
            .Select(d => ToJson(d.RootNode))
            .OfType<JsonNode>()];
    }

    public static string ToYaml(JsonNode? node) => s_serializer.Serialize(ToPlain(node));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(Key(kv.Key), ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static string Key(YamlNode key) => key is YamlScalarNode { Value: { } text }
        ? text
        : throw new YamlException(key.Start, key.End, "mapping keys must be plain text");

    /// <summary>Plain scalars follow YAML 1.2's core schema (null, bool, int, float); quoted ones stay strings.</summary>
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
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(text),
        };
    }

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value)),
        JsonArray array => array.Select(ToPlain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetValue<long>(out var l) => l,
            JsonValueKind.Number => value.GetValue<double>(),
            _ => value.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };
}
