using System.CommandLine;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl reject ID --reason TEXT [--all]</c>: one proposal, or every pending row of its card.</summary>
internal sealed class RejectCommand : ApiCommand
{
    private static readonly Argument<string> s_id = new("ID")
    {
        Description = "Proposal: NAMESPACE/NAME, or NAME with -n; may name the workload (its pending proposal)",
        CompletionSources = { ServerCompletions.PendingProposals },
    };

    private static readonly Option<string> s_reason = new("--reason")
    {
        Description = "Why (recorded on the proposal and shown on the card)",
        Required = true,
    };

    private static readonly Option<bool> s_all = new("--all")
    {
        Description = "Every pending row of the proposal's group card, as the card's \"Reject all\" (ID may name the workload)",
    };

    public RejectCommand()
        : base("reject", "Reject a pending ScaleProposal")
    {
        Arguments.Add(s_id);
        Options.Add(s_all);
        Options.Add(s_reason);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var all = context.Parse.GetValue(s_all);
        var body = new JsonObject { ["reason"] = context.Parse.GetValue(s_reason) };
        if (all)
        {
            body["allRows"] = true;
        }

        var node = await context.Api.PostAsync($"proposals/{id.Path}/reject", body, ct);
        if (all)
        {
            CardDecisionOutput.Print(context, id, "rejected", node);
            return;
        }

        DecisionOutput.Print(context, id, "rejected", node);
    }
}
