using System.CommandLine;

namespace ScaleControl.Cli.Tests.Unit;

/// <summary>Parsing behaviour of the command tree, run in-process (no server involved).</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("scale shop/checkout --replicas 40 --for 2x --reason gala", "--for '2x' is not a duration")]
    [InlineData("scale shop/checkout --replicas 40 --for 2h", "Option '--reason' is required")]
    [InlineData("reject shop/p1", "Option '--reason' is required")]
    [InlineData("get proposals -o xml", "'xml' is not an output format")]
    [InlineData("frobnicate", "Unrecognized command or argument 'frobnicate'")]
    [InlineData("completion fish", "fish")]
    [InlineData("scale shop/checkout --replicas abc --for 2h --reason gala", "Cannot parse argument 'abc' for option '--replicas'")]
    [InlineData("scale shop/checkout --replicas 99999999999 --for 2h --reason gala", "Cannot parse argument '99999999999' for option '--replicas' as a whole number")]
    [InlineData("prepare shop/checkout --at 20:00 --replicas abc --for 20m --reason gala", "Cannot parse argument 'abc' for option '--replicas'")]
    [InlineData("scale shop/checkout --replicas 40 --for 99999999999d --reason gala", "--for '99999999999d' is not a duration")]
    [InlineData("freeze shop/checkout --for 99999999999999999999m --reason gala", "is not a duration")]
    [InlineData("prepare shop/checkout --at +99999999999d --expect 3x --for 20m --reason gala", "--at '+99999999999d' is not a time")]
    [InlineData("freeze shop/checkout --for 30d --reason gala", "--for '30d' is longer than the 7 days ScaleControl allows (at most 7d or 168h)")]
    [InlineData("scale shop/checkout --replicas 40 --for 7d1s --reason gala", "--for '7d1s' is longer than the 7 days")]
    [InlineData("prepare shop/checkout --at 20:00 --expect 3x --for 169h --reason gala", "--for '169h' is longer than the 7 days")]
    // Digits of other scripts (Chinese input mode's full-width １, Arabic-Indic ٣) matched \d and then threw in long.Parse.
    [InlineData("freeze shop/checkout --for １h --reason gala", "--for '１h' is not a duration")]
    [InlineData("scale shop/checkout --replicas 4 --for ٣m --reason gala", "--for '٣m' is not a duration")]
    [InlineData("prepare shop/checkout --at +٣m --expect 3x --for 20m --reason gala", "--at '+٣m' is not a time")]
    [InlineData("prepare shop/checkout --at １２:００ --expect 3x --for 20m --reason gala", "--at '１２:００' is not a time")]
    [InlineData("prepare shop/checkout --at 20:00 --expect 3x --for 20m --lead ٣m --reason gala", "--lead '٣m' is not a duration")]
    [InlineData("get history --since ٣h", "--since '٣h' is not a duration")]
    [InlineData("whatif shop/checkout --from ٣h", "--from '٣h' is not a look-back")]
    [InlineData("--request-timeout ٣s status", "--request-timeout '٣s' is not a duration")]
    public async Task Run_UsageMistake_PrintsOneErrorLineAndFails(string commandLine, string expected)
    {
        var (code, output, error) = await RunAsync(commandLine);

        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("freeze shop/checkout --for 7d --reason gala")]
    [InlineData("scale shop/checkout --replicas 40 --for 168h --reason gala")]
    [InlineData("prepare shop/checkout --at 20:00 --expect 3x --for 604800 --reason gala")]
    public void Parse_DurationOfExactlySevenDays_IsNoUsageError(string commandLine) =>
        Assert.Empty(new ScalectlRootCommand().Parse(commandLine).Errors);

    [Fact]
    public async Task Run_CompletionBash_PrintsScriptUsingSuggestDirective()
    {
        var (code, output, _) = await RunAsync("completion bash");

        Assert.Equal(0, code);
        Assert.Contains("[suggest:${COMP_POINT}]", output, StringComparison.Ordinal);
        Assert.Contains("complete -o default -F _scalectl_complete scalectl", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SuggestDirective_OffersSubcommands()
    {
        var completions = new ScalectlRootCommand().Parse("get p").GetCompletions().Select(c => c.Label).ToList();

        Assert.Contains("policies", completions);
        Assert.Contains("proposals", completions);
    }

    [Fact]
    public void Parse_OutputOption_OffersTheFourFormats()
    {
        var completions = new ScalectlRootCommand().Parse("get policies -o ").GetCompletions().Select(c => c.Label).ToList();

        Assert.Equal(["json", "table", "wide", "yaml"], completions.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Parse_WhatIfFromNegativeDuration_IsAValueNotAnOption()
    {
        var result = new ScalectlRootCommand().Parse("whatif shop/checkout --from -1h");

        Assert.Empty(result.Errors);
        Assert.Equal("-1h", result.GetValue<string>("--from"));
    }

    [Fact]
    public async Task Run_NoArguments_ShowsHelp()
    {
        var (code, output, _) = await RunAsync("");

        Assert.Equal(0, code);
        Assert.Contains("whatif", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string commandLine)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var args = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var code = await ScalectlRootCommand.RunAsync(args, new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
