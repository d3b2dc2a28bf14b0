using ScaleControl.Times;
using System.CommandLine;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl freeze POLICY --for 30m --reason TEXT</c>: the control loop changes nothing for the policy meanwhile.</summary>
internal sealed class FreezeCommand : ApiCommand
{
    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    private static readonly Option<TimeSpan> s_for = DurationOption.Create("--for", "How long, e.g. 30m or 1h30m");

    private static readonly Option<string> s_reason = new("--reason")
    {
        Description = "Why (recorded in the history)",
        Required = true,
    };

    public FreezeCommand()
        : base("freeze", "Stop a policy from changing anything for a while")
    {
        Arguments.Add(s_policy);
        Options.Add(s_for);
        Options.Add(s_reason);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        var duration = context.Parse.GetValue(s_for);
        var body = new JsonObject
        {
            ["durationSeconds"] = (long)duration.TotalSeconds,
            ["reason"] = context.Parse.GetValue(s_reason),
        };
        var node = await context.Api.SendOverrideAsync(HttpMethod.Post, $"policies/{id.Path}/freeze", body, ct);
        await context.PrintWarningsAsync(); // a freeze over one in force replaces it: the server says so
        if (!context.PrintRaw(node))
        {
            context.Out.WriteLine($"policy {id} frozen for {CompactDuration.Of(duration)}");
        }
    }
}
