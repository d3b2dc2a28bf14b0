using System.CommandLine;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl unprepare POLICY EVENT</c>: cancel an expected event (its floor goes with it).</summary>
internal sealed class UnprepareCommand : ApiCommand
{
    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    private static readonly Argument<string> s_event = new("EVENT")
    {
        Description = "The expected event's name (see scalectl describe policy)",
    };

    public UnprepareCommand()
        : base("unprepare", "Cancel an expected event")
    {
        Arguments.Add(s_policy);
        Arguments.Add(s_event);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        var node = await context.Api.DeleteAsync($"policies/{id.Path}/expected-events/{ResourceId.Segment(context.Parse.GetValue(s_event)!)}", ct);
        if (!context.PrintRaw(node))
        {
            context.Out.WriteLine(node["message"]?.GetValue<string>());
        }
    }
}
