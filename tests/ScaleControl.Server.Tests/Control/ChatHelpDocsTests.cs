using System.Text.RegularExpressions;
using ScaleControl.Server.Auth;
using ScaleControl.Server.Chat;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The robot's <c>help</c> names every command of the docs' chat table (docs/dingtalk.md, "Chat commands"): a new
/// user reading the table found `reject all`, `freeze ns/*` and `confirm` there but not in <c>help</c>.
/// </summary>
public sealed partial class ChatHelpDocsTests
{
    // A table row's first cell, e.g. | `approve all ns/<proposal\|workload>`, `reject all … [reason]` | does | needs |
    [GeneratedRegex(@"^\| (?<cell>`[^|]*(?:\\\|[^|]*)*) \|", RegexOptions.Multiline)]
    private static partial Regex FirstCell();

    [GeneratedRegex("`(?<span>[^`]+)`")]
    private static partial Regex CodeSpan();

    public static TheoryData<string> DocumentedCommands()
    {
        var page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "dingtalk.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = page.IndexOf("## Chat commands", StringComparison.Ordinal);
        var table = page[start..page.IndexOf("\n\n", page.IndexOf("| command |", start, StringComparison.Ordinal), StringComparison.Ordinal)];
        var commands = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match row in FirstCell().Matches(table))
        {
            foreach (Match span in CodeSpan().Matches(row.Groups["cell"].Value))
            {
                // The words before the first argument: "approve all", "freeze" (and "ns/*" where the docs show it).
                var words = span.Groups["span"].Value.Split(' ');
                var keyword = string.Join(' ', words.TakeWhile(w => w.All(char.IsAsciiLetterLower)));
                if (keyword is not ("" or "help"))
                {
                    commands.Add(keyword);
                }

                if (words.Contains("ns/*"))
                {
                    commands.Add("ns/*");
                }
            }
        }

        return [.. commands];
    }

    [Fact]
    public void DocsTable_IsFound()
    {
        Assert.True(DocumentedCommands().Count >= 15, string.Join(", ", DocumentedCommands()));
    }

    [Theory]
    [MemberData(nameof(DocumentedCommands))]
    public void Help_NamesEveryDocumentedCommand(string command)
    {
        var help = ChatAnswers.Help(new Caller("zhangsan", Role.Operator, ["shop"]), "UTC").Markdown;

        Assert.Matches("`" + Regex.Escape(command) + "[ `]", help);
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
