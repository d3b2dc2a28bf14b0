using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl get policies [NAME]</c>: the ScalePolicies with their current and desired replicas.</summary>
internal sealed class GetPoliciesCommand : ApiCommand
{
    private static readonly Argument<string?> s_name = new("NAME")
    {
        Description = "One policy (NAMESPACE/NAME or NAME with -n); all when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public GetPoliciesCommand()
        : base("policies", "List ScalePolicies")
    {
        Aliases.Add("policy");
        Aliases.Add("scalepolicies");
        Aliases.Add("sp");
        Arguments.Add(s_name);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var name = context.Parse.GetValue(s_name);
        var node = name is null
            ? await context.Api.GetAsync(Query.Build("policies", ("namespace", context.ListNamespace)), ct)
            : await context.Api.GetAsync($"policies/{context.Id(name).Path}", ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var policies = node is JsonArray ? node.As<List<Policy>>() : [node.As<Policy>()];
        if (policies.Count == 0)
        {
            context.Out.WriteLine(context.AllNamespaces ? "No policies found." : $"No policies found in {context.Namespace} namespace.");
            return;
        }

        var wide = context.AllNamespaces;
        var table = new TableWriter(Columns.Headers(wide, "NAME", "TARGET", "MODE", "MIN", "MAX", "CURRENT", "DESIRED", "STATE", "AGE"));
        foreach (var p in policies.OrderBy(p => p.Metadata.Namespace, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            table.AddRow(Columns.Row(wide, p.Metadata.Namespace,
                p.Metadata.Name,
                Columns.Target(p.Spec.Target),
                p.Spec.Mode,
                p.Spec.MinReplicas.ToString(CultureInfo.InvariantCulture),
                p.Spec.MaxReplicas.ToString(CultureInfo.InvariantCulture),
                Columns.Number(p.Status?.CurrentReplicas),
                Columns.Number(p.Status?.DesiredReplicas),
                State(context, p),
                context.Age(p.Metadata.CreationTimestamp)));
        }

        table.Write(context.Out);
    }

    /// <summary>The condition the server sets on a policy whose workload an older policy controls.</summary>
    private const string TargetConflict = "TargetConflict";

    /// <summary>"Held (TargetConflict)", "Pinned 40 (1h59m)", "Frozen (28m)", "Prepared 36 (18m)", "Active, event in 2h", "Active" or, in mode Observe, "Observe: would 4 → 9".</summary>
    internal static string State(CommandContext context, Policy policy)
    {
        // Another policy owns the workload: the loop does not act on this one, whatever its pin or freeze says.
        if (policy.Status?.Conditions?.Any(c => c.Type == TargetConflict) == true)
        {
            return $"Held ({TargetConflict})";
        }

        var now = context.Now;
        if (policy.Spec.Pin is { } pin && pin.Until > now)
        {
            return $"Pinned {pin.Replicas} ({Durations.Human(pin.Until - now)})";
        }

        if (policy.Spec.Freeze is { } freeze && freeze.Until > now)
        {
            return $"Frozen ({Durations.Human(freeze.Until - now)})";
        }

        var events = policy.Spec.ExpectedEvents ?? [];
        if (events.Where(e => e.FloorStart <= now && now < e.FloorEnd).MaxBy(e => e.Replicas) is { } active)
        {
            // An Observe policy's floor is observed like the rest: it says what it would hold, nothing runs it.
            return $"{(ObserveText.Observes(policy.Spec.Mode) ? "Observe: prepared" : "Prepared")} {active.Replicas} ({Durations.Human(active.FloorEnd - now)})";
        }

        // Observing is what it does when nothing else holds it: "Observe: would 4 → 9" in place of "Active".
        var running = ObserveText.Observes(policy.Spec.Mode) ? ObserveText.State(policy.Status?.CurrentReplicas, policy.Status?.DesiredReplicas) : "Active";
        return events.Where(e => e.FloorStart > now).MinBy(e => e.FloorStart) is { } next
            ? $"{running}, event in {Durations.Human(next.FloorStart - now)}"
            : running;
    }
}
