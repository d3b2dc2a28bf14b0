using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// The chart's README is what an operator installs from: its Values table names every value of values.yaml, and its
/// table of settings names every ScaleControl variable the Deployment sets, so neither can drift from the chart.
/// </summary>
public partial class ChartReadmeTests
{
    // Passed to the pod whole (toYaml): their keys are Kubernetes' own, not the chart's.
    private static readonly string[] s_passthrough = ["podSecurityContext", "securityContext", "resources"];

    [Fact]
    public void ValuesTable_NamesEveryValue()
    {
        var rows = Section("## Values").Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        var values = YamlFiles.ReadSingle(Path.Combine(RepositoryPaths.Chart, "values.yaml"))!.AsObject();
        var missing = new List<string>();
        foreach (var (key, value) in values)
        {
            var leaves = value is JsonObject obj && obj.Count > 0 && !s_passthrough.Contains(key) ? Leaves(obj, key).ToList() : [key];
            foreach (var leaf in leaves)
            {
                // A row names the value by its top-level key, then each leaf by name (`prometheus.url` / `.timeoutSeconds`).
                var name = leaf.Split('.')[^1];
                if (!rows.Any(r => r.Split('|')[1].Contains($"`{key}", StringComparison.Ordinal) && r.Contains(name, StringComparison.Ordinal)))
                {
                    missing.Add(leaf);
                }
            }
        }

        Assert.True(missing.Count == 0, "values.yaml keys the README's Values table does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void SettingsTable_NamesEveryVariableTheDeploymentSets()
    {
        var listed = Section("## Settings the chart passes to the server").Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Expand(l.Split('`')[1]))
            .ToHashSet(StringComparer.Ordinal);
        var set = EnvName().Matches(File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "templates", "deployment.yaml")))
            .Select(m => m.Groups[1].Value).Where(n => n.StartsWith("ScaleControl__", StringComparison.Ordinal))
            .Select(n => n.EndsWith("__{{", StringComparison.Ordinal) ? n[..^2] + "<i>" : n) // one per list item: listed as `…__<i>`
            .Distinct();

        var missing = set.Where(n => !listed.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "variables the Deployment sets that the README does not list: " + string.Join(", ", missing));
    }

    private static string Section(string heading)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = readme.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the chart README has a section '{heading}'");
        var end = readme.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? readme[start..] : readme[start..end];
    }

    private static IEnumerable<string> Leaves(JsonObject obj, string path)
    {
        foreach (var (key, value) in obj)
        {
            if (value is JsonObject child && child.Count > 0)
            {
                foreach (var leaf in Leaves(child, $"{path}.{key}"))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return $"{path}.{key}";
            }
        }
    }

    /// <summary><c>A__{B,C}</c> → <c>A__B</c>, <c>A__C</c>.</summary>
    private static IEnumerable<string> Expand(string name)
    {
        var match = Braces().Match(name);
        return match.Success
            ? match.Groups[2].Value.Split(',').Select(option => match.Groups[1].Value + option.Trim())
            : [name];
    }

    [GeneratedRegex(@"- name: (\S+)")]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^([^{]*)\{([^}]*)\}$")]
    private static partial Regex Braces();
}
