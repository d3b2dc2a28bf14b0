using System.CommandLine;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl approve ID [--replicas N | --all]</c>: approve a pending proposal (or its alternative count, or every pending row of its card).</summary>
internal sealed class ApproveCommand : ApiCommand
{
    private static readonly Argument<string> s_id = new("ID")
    {
        Description = "Proposal: NAMESPACE/NAME, or NAME with -n; may name the workload (its pending proposal)",
        CompletionSources = { ServerCompletions.PendingProposals },
    };

    private static readonly Option<int?> s_replicas = new("--replicas")
    {
        Description = "Approve this alternative count instead of the proposed one (must be the offered alternative)",
    };

    private static readonly Option<bool> s_all = new("--all")
    {
        Description = "Every pending row of the proposal's group card, as the card's \"Approve all\" (ID may name the workload)",
    };

    public ApproveCommand()
        : base("approve", "Approve a pending ScaleProposal")
    {
        Arguments.Add(s_id);
        Options.Add(s_all);
        Options.Add(s_replicas);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var replicas = context.Parse.GetValue(s_replicas);
        if (context.Parse.GetValue(s_all))
        {
            // Each row has its own target: one count for them all would mean nothing.
            if (replicas is not null)
            {
                throw new CliException("--all and --replicas cannot be combined: --all approves each row at its own target");
            }

            var rows = await context.Api.PostAsync($"proposals/{id.Path}/approve", new JsonObject { ["allRows"] = true }, ct);
            CardDecisionOutput.Print(context, id, "approved", rows);
            return;
        }

        var body = new JsonObject { ["replicas"] = replicas };
        var node = await context.Api.PostAsync($"proposals/{id.Path}/approve", body, ct);
        DecisionOutput.Print(context, id, "approved", node);
    }
}
