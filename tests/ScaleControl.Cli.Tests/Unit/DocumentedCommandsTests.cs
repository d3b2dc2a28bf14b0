using System.CommandLine;
using System.Text.RegularExpressions;

namespace ScaleControl.Cli.Tests.Unit;

/// <summary>
/// Every <c>scalectl …</c> the docs show (in a code span or a shell block of README.md, docs/*.md and samples/) names
/// commands and options scalectl has: docs/policies.md had said <c>scalectl apply</c>, which is <c>scalectl policy apply</c>.
/// </summary>
public sealed partial class DocumentedCommandsTests
{
    [GeneratedRegex("`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    // "scalectl" as a command word (at the start, after a space or "("; not inside a path or a package name) followed
    // by a command or an option: not the design diagram's "REST API / scalectl ───".
    [GeneratedRegex(@"(?:^|[\s(])scalectl((?: [a-z-][^\s&;#)]*)(?: [^\s&;#)]+)*)")]
    private static partial Regex Invocation();

    // --from, -n; not a value such as -1h or the - of "-f -".
    [GeneratedRegex("^--?[A-Za-z]")]
    private static partial Regex OptionName();

    public static TheoryData<string, string> DocumentedInvocations()
    {
        var root = RepoRoot();
        var pages = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md"))
            .Concat(Directory.GetFiles(Path.Combine(root, "samples"), "*.md", SearchOption.AllDirectories));
        var found = new SortedSet<(string, string)>();
        foreach (var page in pages)
        {
            var (blocks, prose) = SplitFences(File.ReadAllLines(page));
            var spans = CodeSpan().Matches(prose).Select(m => m.Groups[1].Value);
            foreach (var snippet in blocks.Concat(spans))
            {
                foreach (Match call in Invocation().Matches(snippet))
                {
                    found.Add((Path.GetRelativePath(root, page).Replace('\\', '/'), "scalectl" + call.Groups[1].Value));
                }
            }
        }

        var data = new TheoryData<string, string>();
        foreach (var (page, call) in found)
        {
            data.Add(page, call);
        }

        return data;
    }

    [Fact]
    public void Docs_ShowManyInvocations()
    {
        Assert.True(DocumentedInvocations().Count > 40, $"only {DocumentedInvocations().Count} found");
    }

    [Theory]
    [MemberData(nameof(DocumentedInvocations))]
    public void DocumentedInvocation_NamesExistingCommandsAndOptions(string page, string invocation)
    {
        Command command = new ScalectlRootCommand();
        var options = new List<Option>(command.Options);
        var path = "scalectl";
        foreach (var word in invocation.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var token = word.Trim('[', ']', '"', '\'');
            if (OptionName().IsMatch(token))
            {
                var name = token.Split('=')[0].TrimEnd('\\', '|');
                Assert.True(options.Any(o => o.Name == name || o.Aliases.Contains(name)),
                    $"{page}: `{invocation}`: `{path}` has no option {name}");
                continue;
            }

            if (command.Subcommands.Count == 0 || command.Arguments.Count > 0)
            {
                continue; // an argument (ID, NS/WORKLOAD, $P, bash\|zsh)
            }

            // "approve/reject", "approve|reject", "validate/apply": each alternative is a command.
            var alternatives = token.Replace("\\", "", StringComparison.Ordinal).Split('/', '|');
            foreach (var alternative in alternatives)
            {
                Assert.True(command.Subcommands.Any(c => c.Name == alternative || c.Aliases.Contains(alternative)),
                    $"{page}: `{invocation}`: `{path}` has no command {alternative}");
            }

            command = command.Subcommands.First(c => c.Name == alternatives[0] || c.Aliases.Contains(alternatives[0]));
            options.AddRange(command.Options);
            path += " " + command.Name;
        }
    }

    /// <summary>Shell and plain fenced blocks (commands and their output), and the text outside any block.</summary>
    private static (List<string> Blocks, string Prose) SplitFences(string[] lines)
    {
        var blocks = new List<string>();
        var prose = new System.Text.StringBuilder();
        string? language = null; // inside a block: its language ("" for a plain one)
        var block = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                if (language is null)
                {
                    language = line.TrimStart()[3..].Trim();
                    block.Clear();
                }
                else
                {
                    if (language is "" or "bash" or "sh")
                    {
                        blocks.Add(block.ToString());
                    }

                    language = null;
                }
            }
            else if (language is null)
            {
                prose.AppendLine(line);
            }
            else
            {
                block.AppendLine(line);
            }
        }

        return (blocks, prose.ToString());
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
