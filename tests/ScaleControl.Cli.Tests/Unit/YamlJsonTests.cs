using System.Text.Json.Nodes;
using ScaleControl.Cli.Formatting;
using ScaleControl.Yaml;
using YamlDotNet.Core;

namespace ScaleControl.Cli.Tests.Unit;

public class YamlJsonTests
{
    [Fact]
    public void ParseDocuments_MultiDocument_ReturnsEachWithTypedScalars()
    {
        const string yaml = """
            metadata: {name: checkout, namespace: shop}
            spec:
              minReplicas: 2
              tolerance: 0.1
              prediction: {enabled: false}
              label: "5"
              metrics:
                - name: qps
                  query: sum(rate(http_requests_total[1m]))
            ---
            # comment-only documents are skipped
            ---
            metadata: {name: feed}
            """;

        var docs = YamlJson.ParseDocuments(yaml);

        Assert.Equal(2, docs.Count);
        var spec = docs[0]["spec"]!;
        Assert.Equal(2, spec["minReplicas"]!.GetValue<long>());
        Assert.Equal(0.1, spec["tolerance"]!.GetValue<double>());
        Assert.False(spec["prediction"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("5", spec["label"]!.GetValue<string>());
        Assert.Equal("qps", spec["metrics"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("feed", docs[1]["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void ParseDocuments_BrokenYaml_ThrowsYamlException() =>
        Assert.ThrowsAny<YamlException>(() => YamlJson.ParseDocuments("a: [1, 2\nb: c"));

    [Fact]
    public void ParseDocuments_KeyThatIsNotPlainText_ThrowsYamlExceptionNamingIt()
    {
        var e = Assert.ThrowsAny<YamlException>(() => YamlJson.ParseDocuments("? [a, b]\n: x\n"));
        Assert.Contains("mapping keys must be plain text", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_PlainNaNAndInfinity_StayWords_WhileNumbersWithDigitsAreNumbers()
    {
        var doc = YamlJson.ParseDocuments("a: NaN\nb: Infinity\nc: -1.5e3\nd: 7\n").Single();

        Assert.Equal("NaN", doc["a"]!.GetValue<string>()); // .NET reads it as double.NaN, which no JSON can carry
        Assert.Equal("Infinity", doc["b"]!.GetValue<string>());
        Assert.Equal(-1500, doc["c"]!.GetValue<double>());
        Assert.Equal(7, doc["d"]!.GetValue<long>());
        Assert.NotNull(doc.ToJsonString());
    }

    [Fact]
    public void ToYaml_JsonObject_RoundTripsThroughParse()
    {
        var json = JsonNode.Parse("""{"name":"x","replicas":3,"ratio":1.5,"on":true,"none":null,"code":"007","list":["a","b"]}""")!;

        var back = YamlJson.ParseDocuments(YamlWriter.ToYaml(json)).Single();

        Assert.True(JsonNode.DeepEquals(json, back), back.ToJsonString());
    }
}
