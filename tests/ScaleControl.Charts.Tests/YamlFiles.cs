using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ScaleControl.Charts.Tests;

/// <summary>Reads YAML (all documents of a file) as JSON nodes with typed scalars.</summary>
internal static class YamlFiles
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder()
        .WithAttemptingUnquotedStringTypeDeserialization()
        .Build();

    public static IReadOnlyList<JsonNode?> ReadDocuments(string path)
    {
        using var reader = new StreamReader(path);
        return ParseDocuments(reader);
    }

    public static IReadOnlyList<JsonNode?> ParseDocuments(TextReader reader)
    {
        var parser = new Parser(reader);
        parser.Consume<StreamStart>();
        var documents = new List<JsonNode?>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var value = s_deserializer.Deserialize<object?>(parser);
            documents.Add(ToJson(value));
        }

        return documents;
    }

    public static JsonNode? ReadSingle(string path) => ReadDocuments(path).Single();

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(kv =>
            new KeyValuePair<string, JsonNode?>(Convert.ToString(kv.Key, System.Globalization.CultureInfo.InvariantCulture)!, ToJson(kv.Value)))),
        IList<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        _ => JsonSerializer.SerializeToNode(value),
    };
}
