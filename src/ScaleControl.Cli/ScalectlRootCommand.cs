using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using ScaleControl.Cli.Commands;

namespace ScaleControl.Cli;

/// <summary>scalectl's command tree (the table of contents of the CLI).</summary>
internal sealed class ScalectlRootCommand : RootCommand
{
    public ScalectlRootCommand()
        : base("scalectl: see and steer ScaleControl — proposals, approvals, overrides, freezes, history and what-ifs")
    {
        foreach (var option in GlobalOptions.All)
        {
            Options.Add(option);
        }

        Subcommands.Add(new GetCommand());
        Subcommands.Add(new DescribeCommand());
        Subcommands.Add(new ApproveCommand());
        Subcommands.Add(new RejectCommand());
        Subcommands.Add(new UndoCommand());
        Subcommands.Add(new ScaleCommand());
        Subcommands.Add(new UnpinCommand());
        Subcommands.Add(new FreezeCommand());
        Subcommands.Add(new UnfreezeCommand());
        Subcommands.Add(new PrepareCommand());
        Subcommands.Add(new UnprepareCommand());
        Subcommands.Add(new PolicyCommand());
        Subcommands.Add(new WhatIfCommand());
        Subcommands.Add(new StatusCommand());
        Subcommands.Add(new CompletionCommand());
        VersionAction.Replace(this);
        NameArgumentsInHelp(this);
    }

    /// <summary>
    /// Help shows each argument by its name (<c>approve &lt;ID&gt;</c>). Without a HelpName, help lists the argument's
    /// completions instead, and those ask the server: <c>--help</c> printed every pending proposal's id and waited
    /// for a slow server.
    /// </summary>
    private static void NameArgumentsInHelp(Command command)
    {
        foreach (var argument in command.Arguments)
        {
            argument.HelpName ??= argument.Name;
        }

        foreach (var subcommand in command.Subcommands)
        {
            NameArgumentsInHelp(subcommand);
        }
    }

    /// <summary>Parses and runs; a usage mistake is one <c>error:</c> line (not a page of help) and exit code 1.</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null)
    {
        configuration ??= new InvocationConfiguration();
        var parseResult = new ScalectlRootCommand().Parse(args.Length == 0 ? ["--help"] : args);
        if (parseResult.Action is ParseErrorAction)
        {
            var command = CommandPath(parseResult);
            var errors = string.Join("; ", parseResult.Errors.Select(e => OneLine(e.Message)).Distinct());
            await configuration.Error.WriteLineAsync($"error: {errors} (see '{command} --help')");
            return 1;
        }

        return await parseResult.InvokeAsync(configuration);
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim())).TrimEnd('.')
            .Replace("as expected type 'System.Nullable`1[System.Int32]'", "as a whole number", StringComparison.Ordinal) // an optional count (prepare --replicas)
            .Replace("as expected type 'System.Int32'", "as a whole number", StringComparison.Ordinal); // a user types numbers, not .NET types

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new Stack<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is CommandResult command; result = command.Parent)
        {
            names.Push(command.Parent is null ? "scalectl" : command.Command.Name);
        }

        return string.Join(' ', names);
    }
}
