using System.CommandLine;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl describe proposal ID</c>: the step, why, the evidence, approvals and the phase history.</summary>
internal sealed class DescribeProposalCommand : ApiCommand
{
    /// <summary>On a return-to-normal proposal: the hot event's scale-up it takes back (the server's annotation).</summary>
    private const string ReturnOfAnnotation = "scalecontrol.io/return-of";

    private static readonly Argument<string> s_id = new("ID")
    {
        Description = "NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.PendingProposals },
    };

    public DescribeProposalCommand()
        : base("proposal", "Show a ScaleProposal in detail")
    {
        Aliases.Add("proposals");
        Arguments.Add(s_id);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var node = await context.Api.GetAsync($"proposals/{id.Path}", ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var p = node.As<Proposal>();
        var d = new DescribeWriter(context.Out)
            .Field("Name", p.Metadata.Name)
            .Field("Namespace", p.Metadata.Namespace)
            .Field("Policy", p.Spec.PolicyName)
            .Field("Target", Columns.Target(p.Spec.Target))
            .Field("Replicas", p.Spec.AlternativeReplicas is { } alt
                ? $"{p.Spec.FromReplicas} → {p.Spec.ToReplicas} (or {alt})"
                : $"{p.Spec.FromReplicas} → {p.Spec.ToReplicas}")
            .Field("Phase", p.Status.Phase)
            .Field("Reason", p.Spec.Reason)
            .Field("Requested By", p.Spec.RequestedBy)
            .Field("Created", p.Metadata.CreationTimestamp is { } created ? $"{created:u} ({context.Age(created)} ago)" : null)
            .Field("Expires", p.Status.Phase == "Pending" && p.Spec.ExpiresAt is { } expires ? $"{expires:u} ({context.Until(expires)})" : null) // only an open proposal expires
            .Field("Approvers", string.Join(", ", p.Spec.Approvers ?? []))
            .Field("Approvals", GetProposalsCommand.Approvals(p) + (p.Spec.RequiresTwoPersons ? " (two-person rule)" : ""));

        // After Approve half the spec's estimate is still the whole ask: what was applied first, the ask labelled.
        if (p.Status.AppliedCapacity?.ChangeText is { } appliedCost)
        {
            d.Field("Cost", $"{appliedCost} (applied {p.Spec.FromReplicas} → {p.Status.AppliedReplicas})")
                .Field("Cost Asked", $"{p.Spec.Capacity?.ChangeText} ({p.Spec.FromReplicas} → {p.Spec.ToReplicas}, not all applied)");
        }
        else
        {
            d.Field("Cost", p.Spec.Capacity?.ChangeText);
        }

        d.Field("Room", p.Spec.Capacity?.RoomText is { } room ? room.Replace("room: ", "", StringComparison.Ordinal) : null);

        if (p.Spec.PreEventReplicas is { } before && p.Spec.ToReplicas > p.Spec.FromReplicas)
        {
            d.Field("Pre-Event Replicas", $"{before} (a return to normal goes back to this)");
        }

        if (p.Metadata.Annotations?.GetValueOrDefault(ReturnOfAnnotation) is { } of)
        {
            d.Field("Return To Normal", $"the way back after the hot event of {of}");
        }

        if (p.Spec.Evidence is { } evidence)
        {
            d.Section("Evidence")
                .Field("Ready / Current", $"{evidence.ReadyReplicas} / {evidence.CurrentReplicas}", indent: 1)
                .Field("Bound By", evidence.BoundBy, indent: 1);
            foreach (var m in evidence.Metrics ?? [])
            {
                var text = $"{Columns.Quantity(m.Value)} now"
                    + (m.Predicted is { } predicted ? $", {Columns.Quantity(predicted)} predicted" : "")
                    + $", target {Columns.Quantity(m.Target)}/replica"
                    + (m.Recommendation is { } r ? $" → {r}" : "")
                    + (m.Problem is { } problem ? $" ({problem})" : "");
                d.Field(m.Name, text, indent: 1);
            }
        }

        // A partial approval's applied part keeps its own approvers; the current Approvals start empty for the rest.
        var checks = p.Verification;
        foreach (var (step, i) in (p.Status.AppliedSteps ?? []).Select((s, i) => (s, i)))
        {
            var stepChecks = checks?.AppliedSteps?.ElementAtOrDefault(i);
            var by = string.Join(", ", (step.Approvals ?? []).Select((a, j) => $"{Named(a.User, stepChecks?.ElementAtOrDefault(j))} via {a.Channel}"));
            d.Field("Applied Step", $"{step.From} → {step.To} at {step.At:u}" + (by.Length > 0 ? $", approved by {by}" : ""));
        }

        foreach (var (a, i) in (p.Status.Approvals ?? []).Select((a, i) => (a, i)))
        {
            d.Field("Approved", $"by {Named(a.User, checks?.Approvals?.ElementAtOrDefault(i))} via {a.Channel} at {a.At:u} ({a.Replicas} replicas)");
        }

        if (p.Status.Rejection is { } rejection)
        {
            d.Field("Rejected", $"by {Named(rejection.User, checks?.Rejection)} via {rejection.Channel} at {rejection.At:u}: {rejection.Reason}");
        }

        if (p.Status.AppliedReplicas is { } applied)
        {
            d.Field("Applied", $"{applied} replicas at {p.Status.AppliedAt:u}");
        }

        d.Field("Undo", UndoText(p.Status));
        d.Field("Message", p.Status.Message);
        d.Section("History");
        foreach (var h in p.Status.History ?? [])
        {
            var change = h.From is null ? $"created {h.To}" : $"{h.From} → {h.To}";
            d.Field(h.At is { } at ? Columns.UtcClock(at) : "?", $"{change} by {h.By}: {h.Message}", indent: 1);
        }

        d.Flush();
    }

    /// <summary>
    /// The person as the server names them: "lisi (unverified: …)" for a record ScaleControl did not write, in the
    /// history's words; the name alone otherwise (or from a server that does not say).
    /// </summary>
    private static string Named(string user, RecordVerification? check) => check is { Unverified: true, Label: { Length: > 0 } label } ? label : user;

    /// <summary>What became of the change's Undo: taken back, or no longer offered and why (as the card says); null otherwise.</summary>
    private static string? UndoText(ProposalStatus status) => status switch
    {
        { Undo: { } undo } => $"undone by {undo.By}{(undo.Channel is { } channel ? $" via {channel}" : "")} at {undo.At:u}: back to {undo.Replicas} ({undo.Proposal})",
        { UndoWithdrawn: { } withdrawn } => $"no longer offered: {withdrawn.Message}",
        _ => null,
    };
}
