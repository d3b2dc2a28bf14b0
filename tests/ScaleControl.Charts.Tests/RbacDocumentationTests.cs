using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Testing.Charts;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// The chart grants exactly the rules docs/kubernetes.md says the product needs: no more (least privilege; the
/// end-to-end suite, run with the chart's RBAC, fails on a rule too few) and no fewer.
/// </summary>
public partial class RbacDocumentationTests
{
    [Fact]
    public void ChartRules_AreTheDocumentedRules()
    {
        var documented = DocumentedRule().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "kubernetes.md")))
            .SelectMany(m => Triples(List(m.Groups[1].Value), List(m.Groups[2].Value), List(m.Groups[3].Value)))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(documented);

        var granted = Granted([]);
        Assert.True(granted.SetEquals(documented),
            "granted but not documented: " + string.Join(", ", granted.Except(documented).Order())
            + "; documented but not granted: " + string.Join(", ", documented.Except(granted).Order()));

        // watchNamespaces grants the same rules per namespace, less the nodes and the cluster's pods that only the room line
        // reads; a workload's own pods are listed in its namespace (why they are not ready).
        var namespaced = Granted(["shop", "video"]);
        Assert.True(namespaced.SetEquals(documented.Where(t => !t.StartsWith("/nodes:", StringComparison.Ordinal) && t is not "/pods:get" and not "/pods:watch")),
            "with watchNamespaces: " + string.Join(", ", namespaced.Order()));
    }

    private static HashSet<string> Granted(IReadOnlyList<string> watchNamespaces)
    {
        var rendered = RbacTemplate.Render(RepositoryPaths.Chart, "scalecontrol", "scalecontrol-system", watchNamespaces);
        return YamlFiles.ParseDocuments(new StringReader(rendered))
            .OfType<JsonObject>()
            .Where(d => d["rules"] is JsonArray)
            .SelectMany(d => d["rules"]!.AsArray().Select(r => r!.AsObject()))
            .SelectMany(r => Triples(Strings(r["apiGroups"]), Strings(r["resources"]), Strings(r["verbs"])))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static IEnumerable<string> Triples(IEnumerable<string> groups, IEnumerable<string> resources, IEnumerable<string> verbs) =>
        from g in groups from r in resources from v in verbs select $"{g}/{r}:{v}";

    private static IEnumerable<string> List(string items) =>
        items.Split(',').Select(i => i.Trim().Trim('"'));

    private static IEnumerable<string> Strings(JsonNode? array) =>
        array!.AsArray().Select(n => (string)n!);

    [GeneratedRegex(@"^- \{ apiGroups: \[([^\]]*)\], resources: \[([^\]]*)\], verbs: \[([^\]]*)\] \}", RegexOptions.Multiline)]
    private static partial Regex DocumentedRule();
}
