using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl whatif POLICY --from -1h</c>: replay recent metric history through the decision engine on the server and
/// show what the policy would have done, as a timeline of the steps where something would have happened. A proposal is
/// taken as approved when a person would realistically approve it (<c>--approval-delay</c>; by default the policy's
/// escalation time), so the timeline shows capacity arriving then, not at once.
/// </summary>
internal sealed class WhatIfCommand : ApiCommand
{
    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    private static readonly Option<string> s_from = new("--from")
    {
        Description = "How far back to start (from --to, default now), e.g. -1h or -30m",
        DefaultValueFactory = _ => "-1h",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string> s_step = new("--step")
    {
        Description = "The rows' time grid and the range query's resolution, e.g. 15s (the policy is evaluated every evaluationIntervalSeconds, as the loop evaluates it)",
        DefaultValueFactory = _ => "15s",
    };

    private static readonly Option<string?> s_approvalDelay = new("--approval-delay")
    {
        Description = "How long a person takes to approve a proposal, e.g. 2m (0s: at once; default: the policy's escalation time)",
    };

    private static readonly Option<string?> s_to = new("--to")
    {
        Description = "When the window ends, RFC 3339 (e.g. 2026-12-05T03:10:00Z, within the last 7 days; default now): replay a past incident",
    };

    private static readonly Option<bool> s_all = new("--all")
    {
        Description = "Show every step, not only those where the policy would have acted",
    };

    public WhatIfCommand()
        : base("whatif", "Show what a policy would have done over recent metric history")
    {
        Arguments.Add(s_policy);
        Options.Add(s_from);
        Options.Add(s_step);
        Options.Add(s_approvalDelay);
        Options.Add(s_to);
        Options.Add(s_all);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        var fromText = context.Parse.GetValue(s_from);
        if (!Durations.TryParseLookBack(fromText, out var from) || from <= TimeSpan.Zero)
        {
            throw new CliException($"--from '{fromText}' is not a look-back such as -1h or -30m");
        }

        var stepText = context.Parse.GetValue(s_step);
        if (!Durations.TryParse(stepText, out var step) || step <= TimeSpan.Zero)
        {
            throw new CliException($"--step '{stepText}' is not a duration such as 15s");
        }

        var body = new JsonObject { ["fromSeconds"] = (long)from.TotalSeconds, ["stepSeconds"] = (long)step.TotalSeconds };
        if (context.Parse.GetValue(s_approvalDelay) is { } delayText)
        {
            if (!Durations.TryParse(delayText, out var delay) || delay > TimeSpan.FromDays(1))
            {
                throw new CliException($"--approval-delay '{delayText}' is not a duration of at most 1d such as 2m or 0s");
            }

            body["approvalDelaySeconds"] = (long)delay.TotalSeconds;
        }

        if (context.Parse.GetValue(s_to) is { } toText)
        {
            if (!DateTimeOffset.TryParse(toText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var to) || !toText.Contains('T', StringComparison.Ordinal))
            {
                throw new CliException($"--to '{toText}' is not an RFC 3339 time such as 2026-12-05T03:10:00Z");
            }

            body["to"] = to.ToString("O", CultureInfo.InvariantCulture);
        }

        var node = await context.Api.PostAsync($"policies/{id.Path}/whatif", body, ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        Render(context, id, node.As<WhatIfResult>(), context.Parse.GetValue(s_all));
    }

    private static void Render(CommandContext context, ResourceId id, WhatIfResult result, bool all)
    {
        var steps = result.Steps ?? [];
        var summary = result.Summary ?? new WhatIfSummary();
        var output = context.Out;
        output.WriteLine($"policy {id}: replayed {result.From:u} → {result.To:u} ({steps.Count} steps)");
        if (!string.IsNullOrEmpty(result.StartedFrom))
        {
            output.WriteLine($"starting from {result.StartReplicas} replicas: {result.StartedFrom}");
        }

        output.WriteLine($"would have: {Count(summary.Changes, "change")}, replicas {summary.MinReplicas}..{summary.MaxReplicas}, {Count(summary.Proposals, "proposal")}, {summary.Applied} applied automatically");
        if (summary.Proposals > 0)
        {
            output.WriteLine($"approvals: each proposal approved {Durations.Human(TimeSpan.FromSeconds(result.ApprovalDelaySeconds))} after it was made ({result.ApprovalDelaySource}): "
                + $"{summary.Approved} approved, {summary.Expired} expired first");
        }
        if (!string.IsNullOrEmpty(result.Note))
        {
            output.WriteLine($"note: {result.Note}");
        }
        if (!all)
        {
            // Why: a look-back older than the metric history replays as many "no data" rows; one line says so instead.
            var leading = steps.TakeWhile(NoData).Count();
            if (leading > 0)
            {
                output.WriteLine(leading == steps.Count
                    ? $"skipped all {leading} steps: no metric data in this range"
                    : $"skipped {leading} leading steps without metric data (history starts {steps[leading].Time:u})");
                steps = steps.Skip(leading).ToList();
            }
        }

        if (steps.Count == 0)
        {
            return;
        }

        var metrics = steps.SelectMany(s => s.Values?.Keys ?? []).Distinct(StringComparer.Ordinal).ToList();
        output.WriteLine();
        foreach (var metric in metrics)
        {
            output.WriteLine($"  {metric,-10} {Sparkline.Render([.. steps.Select(s => Value(s.Values, metric))])}");
        }

        output.WriteLine($"  {"replicas",-10} {Sparkline.Render([.. steps.Select(s => (double?)s.DesiredReplicas)])}");
        output.WriteLine();

        var shown = steps.Where((s, i) => all || s.Outcome is not ("None" or "") || s.Approval is not null || i == 0 || s.DesiredReplicas != steps[i - 1].DesiredReplicas).ToList();
        var headers = new List<string> { "TIME" };
        headers.AddRange(metrics.Select(m => m.ToUpperInvariant()));
        headers.AddRange(metrics.Select(m => "PREDICTED " + m.ToUpperInvariant()));
        headers.AddRange(["CURRENT", "DESIRED", "OUTCOME"]);
        var approvals = shown.Any(s => s.Approval is not null); // a column only when a proposal waited for its approval
        if (approvals)
        {
            headers.Add("APPROVAL");
        }

        headers.Add("REASON");
        var table = new TableWriter([.. headers]);
        foreach (var s in shown)
        {
            var cells = new List<string?> { Columns.UtcClock(s.Time) };
            cells.AddRange(metrics.Select(m => Columns.Quantity(Value(s.Values, m))));
            cells.AddRange(metrics.Select(m => Columns.Quantity(Value(s.Predicted, m))));
            cells.AddRange([Columns.Number(s.CurrentReplicas), Columns.Number(s.DesiredReplicas), s.Outcome]);
            if (approvals)
            {
                cells.Add(s.Approval ?? "");
            }

            cells.Add(Columns.Truncate(s.Reason, 90));
            table.AddRow([.. cells]);
        }

        table.Write(output);
    }

    /// <summary>"1 change", "3 changes": a short replay often has one (it printed "1 changes").</summary>
    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static bool NoData(WhatIfStep step) => step.Values is null || step.Values.Values.All(v => v is null);

    private static double? Value(IReadOnlyDictionary<string, double?>? values, string metric) =>
        values is not null && values.TryGetValue(metric, out var v) ? v : null;
}
