using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl unfreeze POLICY</c>.</summary>
internal sealed class UnfreezeCommand : ApiCommand
{
    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    public UnfreezeCommand()
        : base("unfreeze", "End a freeze early")
    {
        Arguments.Add(s_policy);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        var node = await context.Api.SendOverrideAsync(HttpMethod.Delete, $"policies/{id.Path}/freeze", null, ct);
        if (!context.PrintRaw(node))
        {
            // The server warns "not frozen: ..." when there was nothing to lift: "unfrozen" would be untrue.
            context.Out.WriteLine(context.Api.Warnings.Any(w => w.StartsWith("not frozen", StringComparison.Ordinal))
                ? $"policy {id} was not frozen; nothing was changed"
                : $"policy {id} unfrozen");
        }
    }
}
