using System.CommandLine;
using ScaleControl.Cli.Api;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl unprepare POLICY EVENT</c>: cancel an expected event (its floor goes with it). Without EVENT it says
/// which events there are to cancel, as the chat's <c>unprepare ns/workload</c> does, and exits non-zero.
/// </summary>
internal sealed class UnprepareCommand : ApiCommand
{
    /// <summary>Names listed in the one error line; the rest are counted (describe policy shows them all).</summary>
    private const int MaxListed = 10;

    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    private static readonly Argument<string?> s_event = new("EVENT")
    {
        Description = "The expected event's name (without it: the policy's events are listed)",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public UnprepareCommand()
        : base("unprepare", "Cancel an expected event")
    {
        Arguments.Add(s_policy);
        Arguments.Add(s_event);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        if (context.Parse.GetValue(s_event) is not { } name)
        {
            throw new CliException(await EventsToCancelAsync(context, id, ct));
        }

        var node = await context.Api.DeleteAsync($"policies/{id.Path}/expected-events/{ResourceId.Segment(name)}", ct);
        if (!context.PrintRaw(node))
        {
            context.Out.WriteLine(node["message"]?.GetValue<string>());
        }
    }

    /// <summary>The events whose floor has not ended (those the chat lists too), read from the policy as <c>get</c> does.</summary>
    private static async Task<string> EventsToCancelAsync(CommandContext context, ResourceId id, CancellationToken ct)
    {
        var policy = (await context.Api.GetAsync($"policies/{id.Path}", ct)).As<Policy>();
        var events = (policy.Spec.ExpectedEvents ?? []).Where(e => e.FloorEnd > context.Now).OrderBy(e => e.At).ToList();
        if (events.Count == 0)
        {
            return $"{id} has no expected events still to come: nothing to unprepare";
        }

        var listed = string.Join(", ", events.Take(MaxListed).Select(e => $"{e.Name} (at {e.At:u})"));
        var more = events.Count > MaxListed ? $" and {events.Count - MaxListed} more (see scalectl describe policy {id})" : "";
        return $"name the event to cancel: scalectl unprepare {id} EVENT; {id} expects {listed}{more}";
    }
}
