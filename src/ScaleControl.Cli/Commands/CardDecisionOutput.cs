using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// The answer to <c>approve --all</c> / <c>reject --all</c>: a count, then one line per row of the card (workload,
/// from → to, outcome). No row accepted is a failure (exit 1), so a script in a storm notices.
/// </summary>
internal static class CardDecisionOutput
{
    public static void Print(CommandContext context, ResourceId id, string verb, JsonNode node)
    {
        var result = node.As<DecisionResult>();
        var rows = result.Rows ?? [];
        var accepted = rows.Count(r => r.Result == "Accepted");
        if (!context.PrintRaw(node))
        {
            context.Out.WriteLine($"card of proposal {id}: {accepted} of {rows.Count} rows {verb}");
            foreach (var row in rows)
            {
                context.Out.WriteLine($"  {row.Workload} {row.FromReplicas} → {row.ToReplicas}: {Outcome(row, verb)}");
            }
        }

        if (accepted == 0)
        {
            throw new CliException($"no row of the card of {id} was {verb}");
        }
    }

    private static string Outcome(DecisionRow row, string verb)
    {
        var outcome = row.Result switch
        {
            "Accepted" => $"{verb}, {row.Phase}",
            "Duplicate" => $"already {verb} (duplicate, nothing changed)",
            _ => "refused",
        };
        return string.IsNullOrEmpty(row.Message) ? outcome : $"{outcome}: {row.Message}";
    }
}
