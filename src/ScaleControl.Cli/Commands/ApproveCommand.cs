using System.CommandLine;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl approve ID [--replicas N]</c>: approve a pending proposal (or its alternative count).</summary>
internal sealed class ApproveCommand : ApiCommand
{
    private static readonly Argument<string> s_id = new("ID")
    {
        Description = "Proposal: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.PendingProposals },
    };

    private static readonly Option<int?> s_replicas = new("--replicas")
    {
        Description = "Approve this alternative count instead of the proposed one (must be the offered alternative)",
    };

    public ApproveCommand()
        : base("approve", "Approve a pending ScaleProposal")
    {
        Arguments.Add(s_id);
        Options.Add(s_replicas);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var body = new JsonObject { ["replicas"] = context.Parse.GetValue(s_replicas) };
        var node = await context.Api.PostAsync($"proposals/{id.Path}/approve", body, ct);
        DecisionOutput.Print(context, id, "approved", node);
    }
}
