using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// Helm cannot run on these machines, so the chart is checked as far as it can be without rendering:
/// every non-template YAML parses, the schema accepts the defaults (and rejects bad values), every
/// <c>.Values.x</c> a template uses exists, and template actions are balanced.
/// </summary>
public partial class ChartFilesTests
{
    public static TheoryData<string> NonTemplateYamlFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Root, "*.yaml", SearchOption.AllDirectories)
                     .Concat(Directory.EnumerateFiles(RepositoryPaths.Root, "*.yml", SearchOption.AllDirectories))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}templates{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}.scalecontrol{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            data.Add(Path.GetRelativePath(RepositoryPaths.Root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NonTemplateYamlFiles))]
    public void YamlFile_Parses(string relativePath)
    {
        var documents = YamlFiles.ReadDocuments(Path.Combine(RepositoryPaths.Root, relativePath));
        Assert.NotEmpty(documents);
    }

    [Fact]
    public void ValuesSchema_AcceptsDefaultValues()
    {
        var result = Evaluate(ReadValues());
        Assert.True(result.IsValid, Describe(result));
    }

    [Theory]
    [InlineData("replicaCount", "0")]
    [InlineData("prometheus.url", "\"prometheus:9090\"")]
    [InlineData("dingtalk.callbackMode", "\"Webhook\"")]
    [InlineData("image.pullPolicy", "\"Sometimes\"")]
    [InlineData("unknownTopLevelKey", "true")]
    [InlineData("history.maxPerPolicy", "0")]
    [InlineData("history.maxAgeDays", "\"7d\"")]
    public void ValuesSchema_RejectsBadValue(string path, string json)
    {
        var values = ReadValues();
        var segments = path.Split('.');
        var node = values;
        foreach (var segment in segments[..^1])
        {
            node = node[segment]!.AsObject();
        }

        node[segments[^1]] = JsonNode.Parse(json);
        Assert.False(Evaluate(values).IsValid, $"schema accepted {path}={json}");
    }

    [Fact]
    public void ValuesSchema_OneReplica_NeedsThePodDisruptionBudgetOff()
    {
        // minAvailable 1 of 1 replica: no voluntary eviction is ever allowed, so a kubectl drain of its node never ends.
        var values = ReadValues();
        values["replicaCount"] = 1;
        var refused = Evaluate(values);
        Assert.False(refused.IsValid, "schema accepted replicaCount=1 with the PodDisruptionBudget on");
        Assert.Contains("/podDisruptionBudget/enabled", Describe(refused), StringComparison.Ordinal);

        values["podDisruptionBudget"]!["enabled"] = false;
        var accepted = Evaluate(values);
        Assert.True(accepted.IsValid, Describe(accepted));
    }

    [Fact]
    public void Templates_UseOnlyValuesThatExist()
    {
        var values = ReadValues();
        var missing = new List<string>();
        foreach (var template in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Chart, "templates")))
        {
            foreach (Match match in ValuesReference().Matches(File.ReadAllText(template)))
            {
                JsonNode? node = values;
                foreach (var segment in match.Groups[1].Value.Split('.'))
                {
                    node = node is JsonObject obj && obj.TryGetPropertyValue(segment, out var child) ? child : null;
                    if (node is null)
                    {
                        missing.Add($"{Path.GetFileName(template)}: .Values.{match.Groups[1].Value}");
                        break;
                    }
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void Templates_HaveBalancedActionsAndBlocks()
    {
        foreach (var template in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Chart, "templates")))
        {
            var text = File.ReadAllText(template);
            var name = Path.GetFileName(template);
            Assert.True(Count(text, "{{") == Count(text, "}}"), $"{name}: unbalanced {{{{ }}}}");
            var opened = BlockOpen().Matches(text).Count;
            var closed = BlockEnd().Matches(text).Count;
            Assert.True(opened == closed, $"{name}: {opened} blocks opened (if/range/with/define), {closed} closed");
        }
    }

    [Fact]
    public void ChartYaml_NamesTheChartAndVersions()
    {
        var chart = YamlFiles.ReadSingle(Path.Combine(RepositoryPaths.Chart, "Chart.yaml"))!.AsObject();
        Assert.Equal("v2", (string?)chart["apiVersion"]);
        Assert.Equal("scalecontrol", (string?)chart["name"]);
        Assert.Matches(@"^\d+\.\d+\.\d+", (string?)chart["version"]);
    }

    private static JsonObject ReadValues() =>
        YamlFiles.ReadSingle(Path.Combine(RepositoryPaths.Chart, "values.yaml"))!.AsObject();

    private static EvaluationResults Evaluate(JsonNode values)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "values.schema.json")));
        return schema.Evaluate(System.Text.Json.JsonSerializer.SerializeToElement(values), new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static int Count(string text, string token) => Regex.Matches(text, Regex.Escape(token)).Count;

    [GeneratedRegex(@"\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")]
    private static partial Regex ValuesReference();

    [GeneratedRegex(@"\{\{-?\s*(if|range|with|define)\b")]
    private static partial Regex BlockOpen();

    [GeneratedRegex(@"\{\{-?\s*end\b")]
    private static partial Regex BlockEnd();
}
