using System.CommandLine;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl undo ID [--reason TEXT]</c>: take an applied change back to the replicas before it — at once for an
/// approver on the policy's roster, otherwise as a proposal for the approvers; refused when the workload moved since.
/// ID may name the workload: its newest applied change, as the chat's <c>undo ns/workload</c>.
/// </summary>
internal sealed class UndoCommand : ApiCommand
{
    private static readonly Argument<string> s_id = new("ID") { Description = "The applied proposal, or its workload (its newest applied change): NAMESPACE/NAME, or NAME with -n" };

    /// <summary>On an undo proposal, the name of the change it takes back (the server's <c>ProposalFactory.UndoOfAnnotation</c>).</summary>
    private const string UndoOfAnnotation = "scalecontrol.io/undo-of";

    private static readonly Option<string> s_reason = new("--reason") { Description = "Why (recorded on the undo)" };

    public UndoCommand()
        : base("undo", "Take an applied ScaleProposal back to the replicas before it")
    {
        Arguments.Add(s_id);
        Options.Add(s_reason);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var body = new JsonObject { ["reason"] = context.Parse.GetValue(s_reason) };
        var node = await context.Api.PostAsync($"proposals/{id.Path}/undo", body, ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var result = node.As<DecisionResult>();
        // The server's message already says what happened ("undone: …" or "the undo awaits approval …"); named by the
        // workload, the line also names the change it took back.
        var of = result.Proposal?.Metadata.Annotations?.GetValueOrDefault(UndoOfAnnotation);
        var what = of is not null && of != id.Name ? $"workload {id}, proposal {id.Namespace}/{of}" : $"proposal {id}";
        context.Out.WriteLine($"{what}: {result.Message}");
    }
}
