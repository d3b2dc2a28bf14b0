using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// Docker cannot run here, so the images are not built; what a build would miss can still be read: every file the
/// published project (and the projects it references) takes from outside its own folder must be copied into the build
/// stage. Found missing: the scalectl image copied only its project folder, not the sources it shares with the server
/// (`src/Shared`), and the server image not the CRDs it embeds (`charts/scalecontrol/crds`, a wildcard that matches
/// nothing builds without a word).
/// </summary>
public sealed partial class DockerfileContextTests
{
    [Theory]
    [InlineData("src/ScaleControl.Server/Dockerfile")]
    [InlineData("src/ScaleControl.Cli/Dockerfile")]
    public void EveryFileThePublishedProjectsTake_IsCopiedIntoTheBuildStage(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, dockerfile));
        var copied = CopyLine().Matches(text).SelectMany(m => m.Groups["sources"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var published = PublishLine().Match(text).Groups["project"].Value;
        Assert.False(string.IsNullOrEmpty(published), $"{dockerfile} has no dotnet publish line");

        var missing = Inputs(published).Where(path => !copied.Any(source => Covers(source, path))).Order(StringComparer.Ordinal).ToList();

        Assert.True(missing.Count == 0, $"{dockerfile} does not copy: {string.Join(", ", missing)}");
    }

    /// <summary>The project files and every item path reaching outside them, over the project references, repository-relative.</summary>
    private static HashSet<string> Inputs(string project)
    {
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!inputs.Add(current))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(current)!;
            foreach (var item in XDocument.Load(Path.Combine(RepositoryPaths.Root, current)).Descendants().Where(e => e.Attribute("Include") is not null))
            {
                var include = item.Attribute("Include")!.Value.Replace('\\', '/');
                if (!include.StartsWith("../", StringComparison.Ordinal))
                {
                    continue; // inside the project's folder, which the copy of that folder brings
                }

                var path = Relative(Path.Combine(folder, include));
                if (item.Name.LocalName == "ProjectReference")
                {
                    pending.Push(path);
                }
                else
                {
                    inputs.Add(path);
                }
            }
        }

        return inputs;
    }

    private static string Relative(string path) =>
        Path.GetRelativePath(RepositoryPaths.Root, Path.GetFullPath(Path.Combine(RepositoryPaths.Root, path))).Replace('\\', '/');

    /// <summary>Whether a COPY source (a file or a folder ending in '/') brings <paramref name="path"/> (wildcards: its folder).</summary>
    private static bool Covers(string source, string path)
    {
        var wanted = path.Contains('*', StringComparison.Ordinal) ? path[..(path.LastIndexOf('/') + 1)] : path;
        return source.EndsWith('/') ? wanted.StartsWith(source, StringComparison.Ordinal) : wanted == source;
    }

    // COPY <sources...> <destination>, without --from (those copy from another stage, not the build context).
    [GeneratedRegex(@"^COPY\s+(?!--from)(?<sources>.+?)\s+\S+\s*$", RegexOptions.Multiline)]
    private static partial Regex CopyLine();

    [GeneratedRegex(@"dotnet publish\s+(?<project>\S+\.csproj)")]
    private static partial Regex PublishLine();
}
