using System.CommandLine;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// A command that talks to the server. Any failure ends as ONE line on stderr (<c>error: ...</c>) and exit code 1;
/// success is exit code 0.
/// </summary>
internal abstract class ApiCommand : Command
{
    protected ApiCommand(string name, string description)
        : base(name, description) => SetAction(RunAsync);

    protected abstract Task ExecuteAsync(CommandContext context, CancellationToken ct);

    private async Task<int> RunAsync(ParseResult parseResult, CancellationToken ct)
    {
        try
        {
            using var context = CommandContext.Create(parseResult);
            await ExecuteAsync(context, ct);
            return 0;
        }
        catch (Exception e) when (e is CliException or ApiException)
        {
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or an answer of a shape we did not expect: still one line, never a stack trace.
            await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: unexpected {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
