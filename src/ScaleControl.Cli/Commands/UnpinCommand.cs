using System.CommandLine;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl unpin NAMESPACE/NAME</c>: end a <c>scale</c> override early; the policy takes over again.</summary>
internal sealed class UnpinCommand : ApiCommand
{
    private static readonly Argument<string> s_workload = new("WORKLOAD")
    {
        Description = "Workload: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Workloads },
    };

    public UnpinCommand()
        : base("unpin", "End a scale override; the policy decides again")
    {
        Arguments.Add(s_workload);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_workload)!);
        var node = await context.Api.SendOverrideAsync(HttpMethod.Delete, $"workloads/{id.Path}/pin", null, ct);
        if (!context.PrintRaw(node))
        {
            var policy = node.As<Policy>();
            if (context.Api.Warnings.Any(w => w.StartsWith("not pinned", StringComparison.Ordinal)))
            {
                context.Out.WriteLine($"workload {id} was not pinned; nothing was changed"); // the server's warning: nothing to lift
                return;
            }

            // A freeze still in force keeps the policy from changing anything: "decides again" would be untrue until it ends.
            context.Out.WriteLine(policy.Spec.Freeze is { } freeze && freeze.Until > context.Now
                ? $"workload {id} unpinned (policy {policy.Metadata.Name} is still frozen until {freeze.Until:u}, {context.Until(freeze.Until)})"
                : $"workload {id} unpinned (policy {policy.Metadata.Name} decides again)");
        }
    }
}
