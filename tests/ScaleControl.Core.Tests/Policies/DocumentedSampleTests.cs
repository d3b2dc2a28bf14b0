using System.Text.RegularExpressions;
using ScaleControl.Policies.Yaml;

namespace ScaleControl.Core.Tests.Policies;

/// <summary>
/// A YAML block the docs introduce with a sample's path ("A full example (`samples/policies/checkout-api.yaml`):") is
/// that sample: the sample had kept an old prediction (look-back 60 s, growth factor 3) and no excludeDates while the
/// page showed the current ones.
/// </summary>
public sealed partial class DocumentedSampleTests
{
    [GeneratedRegex(@"\(`(?<path>samples/[^`]+\.yaml)`\):\s*\n+```yaml\n(?<yaml>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex SampleBlock();

    public static TheoryData<string, string> DocumentedSamples()
    {
        var data = new TheoryData<string, string>();
        var docs = Path.Combine(TestPolicies.RepoRoot(), "docs");
        foreach (var page in Directory.GetFiles(docs, "*.md"))
        {
            foreach (Match m in SampleBlock().Matches(File.ReadAllText(page).Replace("\r\n", "\n", StringComparison.Ordinal)))
            {
                data.Add($"docs/{Path.GetFileName(page)}", m.Groups["path"].Value);
            }
        }

        return data;
    }

    [Fact]
    public void Docs_ShowAtLeastOneSampleBlock()
    {
        Assert.NotEmpty(DocumentedSamples());
    }

    [Theory]
    [MemberData(nameof(DocumentedSamples))]
    public void DocumentedBlock_IsTheSampleFile(string page, string samplePath)
    {
        var root = TestPolicies.RepoRoot();
        var text = File.ReadAllText(Path.Combine(root, page)).Replace("\r\n", "\n", StringComparison.Ordinal);
        var block = SampleBlock().Matches(text).Single(m => m.Groups["path"].Value == samplePath).Groups["yaml"].Value;

        var shown = PolicyYaml.LoadAll(block, page).Select(PolicyYaml.Save);
        var file = PolicyYaml.LoadFile(Path.Combine(root, samplePath)).Select(PolicyYaml.Save);

        Assert.Equal(file, shown);
    }
}
