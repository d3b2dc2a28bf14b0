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
        var line = result.Result == "Duplicate"
            ? $"proposal {id} already {verb} (duplicate, nothing changed)"
            : $"proposal {id} {verb}";
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
