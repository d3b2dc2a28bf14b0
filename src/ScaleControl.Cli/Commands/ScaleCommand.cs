using ScaleControl.Times;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl scale NAMESPACE/NAME --replicas 40 --for 2h --reason "gala"</c> (or <c>scalectl pin …</c>): pin a workload
/// (override the policy) and scale it now; the pin ends by itself, or with <c>scalectl unpin</c>. The server's caveats
/// (below the policy's ask, more than the nodes' free room) go to stderr, one <c>Warning:</c> line each.
/// </summary>
internal sealed class ScaleCommand : ApiCommand
{
    private static readonly Argument<string> s_workload = new("WORKLOAD")
    {
        Description = "Workload: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Workloads },
    };

    private static readonly Option<int> s_replicas = new("--replicas")
    {
        Description = "Replicas to hold the workload at",
        Required = true,
    };

    private static readonly Option<TimeSpan> s_for = DurationOption.Create("--for", "How long the override holds, e.g. 2h or 1h30m");

    private static readonly Option<string> s_reason = new("--reason")
    {
        Description = "Why (recorded in the history)",
        Required = true,
    };

    private static readonly Option<bool> s_outsideBounds = new("--allow-outside-bounds")
    {
        Description = "Allow a count outside the policy's minReplicas..maxReplicas (recorded as such)",
    };

    static ScaleCommand() => s_replicas.Validators.Add(r =>
    {
        // Read the token: a value that is not a number is already a parse error, and reading it as one would throw.
        if (r.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var replicas) && replicas < 1)
        {
            r.AddError("--replicas must be 1 or more (scaling to zero is not supported)");
        }
    });

    public ScaleCommand()
        : base("scale", "Pin a workload at a replica count for a while (overrides its policy)")
    {
        // The API calls it a pin, chat takes "pin" and the docs said "scalectl pin": that name worked everywhere but here.
        Aliases.Add("pin");
        Arguments.Add(s_workload);
        Options.Add(s_replicas);
        Options.Add(s_for);
        Options.Add(s_reason);
        Options.Add(s_outsideBounds);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_workload)!);
        var duration = context.Parse.GetValue(s_for);
        var body = new JsonObject
        {
            ["replicas"] = context.Parse.GetValue(s_replicas),
            ["durationSeconds"] = (long)duration.TotalSeconds,
            ["reason"] = context.Parse.GetValue(s_reason),
            ["allowOutsideBounds"] = context.Parse.GetValue(s_outsideBounds),
        };
        var node = await context.Api.PostAsync($"workloads/{id.Path}/pin", body, ct);
        await context.PrintWarningsAsync();

        if (context.PrintRaw(node))
        {
            return;
        }

        if (node["kind"]?.GetValue<string>() == "ScaleProposal")
        {
            // Not the caller's to apply alone (not on the approver roster, or the two-person rule): it waits for approval.
            var proposal = node.As<Proposal>();
            context.Out.WriteLine(
                $"pin of {id} at {proposal.Spec.ToReplicas} replicas awaits approval: proposal {proposal.Metadata.Namespace}/{proposal.Metadata.Name} ({proposal.Status.Message})");
        }
        else
        {
            var policy = node.As<Policy>();
            context.Out.WriteLine(
                $"workload {id} pinned at {policy.Spec.Pin?.Replicas ?? context.Parse.GetValue(s_replicas)} replicas for {CompactDuration.Of(duration)} (policy {policy.Metadata.Name})");
        }
    }
}
