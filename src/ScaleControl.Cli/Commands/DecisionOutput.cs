using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>The answer to approve/reject: "proposal shop/x approved: …", or "… already approved (duplicate)".</summary>
internal static class DecisionOutput
{
    public static void Print(CommandContext context, ResourceId id, string verb, JsonNode node)
    {
        if (context.PrintRaw(node))
        {
            return;
        }

        var result = node.As<DecisionResult>();
        var phase = result.Proposal?.Status.Phase;
        // ID may have named the workload: the answer's proposal says which one was decided.
        var name = string.IsNullOrEmpty(result.Proposal?.Metadata.Name) ? id.ToString() : $"{result.Proposal.Metadata.Namespace}/{result.Proposal.Metadata.Name}";
        var line = result.Result == "Duplicate"
            ? $"proposal {name} already {verb} (duplicate, nothing changed)"
            : $"proposal {name} {verb}";
        if (!string.IsNullOrEmpty(phase))
        {
            line += $"; phase {phase}";
        }

        if (!string.IsNullOrEmpty(result.Message))
        {
            line += $": {result.Message}";
        }

        context.Out.WriteLine(line);
    }
}
