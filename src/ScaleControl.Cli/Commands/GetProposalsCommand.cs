using System.CommandLine;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl get proposals [NAME] [--phase Pending] [--policy NAME]</c>, newest first.</summary>
internal sealed class GetProposalsCommand : ApiCommand
{
    private static readonly Argument<string?> s_name = new("NAME")
    {
        Description = "One proposal (NAMESPACE/NAME or NAME with -n); all when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static readonly string[] s_phases = ["Pending", "Approved", "Applying", "Applied", "Rejected", "Expired", "Superseded", "Failed"];

    private static readonly Option<string?> s_phase = new("--phase")
    {
        Description = $"Only proposals in this phase ({string.Join(", ", s_phases)}; any case)",
    };

    private static readonly Option<string?> s_policy = new("--policy")
    {
        Description = "Only proposals made for this policy",
    };

    static GetProposalsCommand() => s_phase.CompletionSources.Add(s_phases);

    /// <summary><c>--phase pending</c> as the server's name (it is case-sensitive); anything else is sent as typed, for the server's error listing the names.</summary>
    private static string? Phase(string? typed) => s_phases.FirstOrDefault(p => p.Equals(typed, StringComparison.OrdinalIgnoreCase)) ?? typed;

    public GetProposalsCommand()
        : base("proposals", "List ScaleProposals, newest first")
    {
        Aliases.Add("proposal");
        Aliases.Add("scaleproposals");
        Arguments.Add(s_name);
        Options.Add(s_phase);
        Options.Add(s_policy);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var name = context.Parse.GetValue(s_name);
        var node = name is null
            ? await context.Api.GetAsync(Query.Build("proposals",
                ("namespace", context.ListNamespace), ("phase", Phase(context.Parse.GetValue(s_phase))), ("policy", context.Parse.GetValue(s_policy))), ct)
            : await context.Api.GetAsync($"proposals/{context.Id(name).Path}", ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var proposals = node is JsonArray ? node.As<List<Proposal>>() : [node.As<Proposal>()];
        if (proposals.Count == 0)
        {
            context.Out.WriteLine(context.AllNamespaces ? "No proposals found." : $"No proposals found in {context.Namespace} namespace.");
            return;
        }

        var wide = context.AllNamespaces;
        var table = new TableWriter(Columns.Headers(wide, "NAME", "POLICY", "TARGET", "FROM", "TO", "PHASE", "APPROVALS", "EXPIRES", "AGE"));
        foreach (var p in proposals)
        {
            table.AddRow(Columns.Row(wide, p.Metadata.Namespace,
                p.Metadata.Name,
                p.Spec.PolicyName,
                Columns.Target(p.Spec.Target),
                Columns.Number(p.Spec.FromReplicas),
                Columns.Number(p.Spec.ToReplicas),
                p.Status.Phase,
                Approvals(p),
                p.Status.Phase == "Pending" ? context.Until(p.Spec.ExpiresAt) : "-",
                context.Age(p.Metadata.CreationTimestamp)));
        }

        table.Write(context.Out);
    }

    /// <summary>"1/2 zhangsan" — approvals so far out of those required, and by whom.</summary>
    internal static string Approvals(Proposal proposal)
    {
        // One who approved again after an amendment is one approver.
        var approvers = (proposal.Status.Approvals ?? []).Select(a => a.User).Distinct(StringComparer.Ordinal).ToList();
        var who = approvers.Count == 0 ? "" : " " + string.Join(",", approvers);
        return $"{approvers.Count}/{proposal.Spec.RequiredApprovals}{who}";
    }
}
