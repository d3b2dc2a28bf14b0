using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl status</c>: the server (mode, leader, last tick), every policy's live state, what holds a decision back and why pods are not ready where they are not.</summary>
internal sealed class StatusCommand : ApiCommand
{
    public StatusCommand()
        : base("status", "Show the server and each policy's live state (all namespaces unless -n is given)")
    {
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var node = await context.Api.GetAsync("status", ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var status = node.As<ServerStatus>();
        // All namespaces unless -n names one; -A wins over -n, as in kubectl.
        var scope = context.AllNamespaces ? null : context.ExplicitNamespace;
        var watched = status.Namespaces is { Count: > 0 } restricted ? restricted : null;
        if (watched is not null && scope is { } asked && !watched.Contains(asked))
        {
            // A server restricted to namespaces has no policies elsewhere: say so rather than "No policies."
            throw new CliException($"namespace '{asked}' is not watched by this ScaleControl: it works only in {string.Join(", ", watched)}");
        }

        var output = context.Out;
        var leader = status.IsLeader ? "this replica" : status.Leader ?? "none";
        output.WriteLine($"server:   {context.Settings.Server} ({status.Mode} mode, identity {status.Identity ?? "?"}, leader {leader})");
        output.WriteLine($"loop:     last tick {(status.LastTick is { } tick ? context.Age(tick) + " ago" : "never")}");
        if (watched is not null)
        {
            output.WriteLine($"scope:    namespaces {string.Join(", ", watched)}");
        }

        output.WriteLine();

        var policies = (status.Policies ?? [])
            .Where(p => scope is null || p.Namespace == scope)
            .OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        if (policies.Count == 0)
        {
            output.WriteLine(scope is null ? "No policies." : $"No policies in {scope} namespace.");
            WriteUnseen(output, status, scope);
            return;
        }

        // As kubectl: a NAMESPACE column only when the rows can come from more than one namespace.
        var wide = scope is null;
        var table = new TableWriter(Columns.Headers(wide, "NAME", "TARGET", "MODE", "READY", "CURRENT", "DESIRED", "METRICS", "STATE", "REASON"));
        foreach (var p in policies)
        {
            table.AddRow(Columns.Row(wide, p.Namespace, p.Name, Target(p.Target), p.Mode,
                Columns.Number(p.ReadyReplicas), Columns.Number(p.CurrentReplicas), Columns.Number(p.DesiredReplicas),
                string.Join(" ", (p.Metrics ?? []).Select(Metric)),
                State(context, p),
                Columns.Truncate(p.LastReason, 70)));
        }

        table.Write(output);
        // Why DESIRED is not what runs: the hold ends the reason, which the table cuts at 70 characters.
        WriteUnderTable(output, "HELD", policies, p => p.Held is { Length: > 0 } held ? [held] : []);
        // Why READY is below CURRENT, where it is (the server reads the pods then).
        WriteUnderTable(output, "NOT READY", policies, p => p.NotReady?.Lines ?? []);
        WriteUnseen(output, status, scope);
    }

    /// <summary>
    /// Proposals waiting for approval that nobody may have seen (DingTalk throttled or down when their card was due,
    /// their escalation failed): the on-call decides them here, before they expire unseen.
    /// </summary>
    private static void WriteUnseen(TextWriter output, ServerStatus status, string? scope) =>
        WriteSection(output, "NOT SEEN (no card in the group)", [.. (status.Unseen ?? [])
            .Where(u => scope is null || u.Namespace == scope)
            .Select(u => (u.Workload, (IReadOnlyList<string>)[u.Line]))]);

    /// <summary>
    /// Under the table, a section of each policy's explanations (the server's own words), wrapped to
    /// <see cref="HangingText.Width"/> columns under the workload; nothing when no policy has one.
    /// </summary>
    private static void WriteUnderTable(TextWriter output, string title, List<PolicyRuntime> policies, Func<PolicyRuntime, IReadOnlyList<string>> lines) =>
        WriteSection(output, title, [.. policies.Select(p => (Workload(p), lines(p)))]);

    /// <summary>A titled section of explanations, each workload once with its lines under it; nothing when there are none.</summary>
    private static void WriteSection(TextWriter output, string title, IReadOnlyList<(string Workload, IReadOnlyList<string> Lines)> sections)
    {
        var explained = sections.Where(s => s.Lines.Count > 0).ToList();
        if (explained.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine(title);
        var labelWidth = Math.Min(40, explained.Max(s => s.Workload.Length) + 3);
        foreach (var (workload, lines) in explained)
        {
            var label = workload;
            var width = Math.Max(labelWidth, label.Length + 1);
            foreach (var line in lines)
            {
                foreach (var wrapped in HangingText.Lines(label, width, line))
                {
                    output.WriteLine(wrapped);
                }

                label = ""; // the workload once, its further reasons under it
            }
        }
    }

    private static string Workload(PolicyRuntime p) => $"{p.Namespace}/{(p.Target is JsonObject o ? (string?)o["name"] : null) ?? p.Name}";

    /// <summary>The target as "Deployment/checkout", whether the server sends that text or a {kind, name} object.</summary>
    private static string? Target(JsonNode? target) => target switch
    {
        JsonObject o => $"{o["kind"]}/{o["name"]}",
        null => null,
        _ => target.ToString(),
    };

    private static string Metric(MetricStatus m) =>
        m.Problem is not null ? $"{m.Name}=? ({m.Problem})"
        : m.Predicted is { } predicted ? $"{m.Name}={Columns.Quantity(m.Value)}→{Columns.Quantity(predicted)}{Target(m)}"
        : $"{m.Name}={Columns.Quantity(m.Value)}{Target(m)}";

    /// <summary>Policies name no unit: the target gives the value its scale ("p99=4.54 (target 2/replica)").</summary>
    private static string Target(MetricStatus m) => m.Target is { } target
        ? $" (target {Columns.Quantity(target)}{(m.TargetType == "Average" ? " avg/pod" : "/replica")})"
        : "";

    private static string State(CommandContext context, PolicyRuntime p)
    {
        var now = context.Now;
        var parts = new List<string>();
        if (ObserveText.Observes(p.Mode))
        {
            parts.Add(ObserveText.State(p.CurrentReplicas, p.DesiredReplicas));
        }

        if (p.PinnedUntil is { } pinned && pinned > now)
        {
            parts.Add($"Pinned {p.PinnedReplicas} ({Durations.Human(pinned - now)})");
        }

        if (p.FrozenUntil is { } frozen && frozen > now)
        {
            parts.Add($"Frozen ({Durations.Human(frozen - now)})");
        }

        if (!string.IsNullOrEmpty(p.OpenProposal))
        {
            parts.Add($"Proposal {p.OpenProposal}{(p.OpenProposalTo is { } to ? $" (asks {to})" : "")}");
        }

        if (!string.IsNullOrEmpty(p.Held))
        {
            parts.Add("Held"); // why: under the table
        }

        return parts.Count == 0 ? "Active" : string.Join(", ", parts);
    }
}
