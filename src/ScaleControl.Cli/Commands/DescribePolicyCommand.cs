using ScaleControl.Times;
using System.CommandLine;
using System.Globalization;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary><c>scalectl describe policy ID</c>: spec, guardrails (behaviour, schedules, escalation), freeze/pin and the last evaluation.</summary>
internal sealed class DescribePolicyCommand : ApiCommand
{
    private static readonly Argument<string> s_id = new("ID")
    {
        Description = "NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    public DescribePolicyCommand()
        : base("policy", "Show a ScalePolicy in detail")
    {
        Aliases.Add("policies");
        Aliases.Add("sp");
        Arguments.Add(s_id);
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_id)!);
        var node = await context.Api.GetAsync($"policies/{id.Path}", ct);
        if (context.PrintRaw(node))
        {
            return;
        }

        var p = node.As<Policy>();
        var d = new DescribeWriter(context.Out)
            .Field("Name", p.Metadata.Name)
            .Field("Namespace", p.Metadata.Namespace)
            .Field("Target", Columns.Target(p.Spec.Target))
            .Field("Mode", p.Spec.Mode)
            .Field("Scale-Down Mode", p.Spec.ScaleDownMode ?? $"{p.Spec.Mode} (as Mode)")
            .Field("Replicas", $"min {p.Spec.MinReplicas}, max {p.Spec.MaxReplicas}")
            .Field("State", GetPoliciesCommand.State(context, p));
        if (p.Spec.Freeze is { } freeze)
        {
            d.Field("Frozen Until", $"{freeze.Until:u} ({context.Until(freeze.Until)}) by {freeze.By ?? "?"}: {freeze.Reason}");
        }

        if (p.Spec.Pin is { } pin)
        {
            d.Field("Pinned", $"{pin.Replicas} replicas until {pin.Until:u} ({context.Until(pin.Until)}) by {pin.By ?? "?"}: {pin.Reason}");
        }

        if (p.Spec.Group is { } group)
        {
            d.Field("Group", $"{group} (one approval card with the group's other services)");
        }

        if (p.Spec.Follow is { } follow)
        {
            d.Section("Follows")
                .Field("Workload", $"{(follow.Kind ?? "Deployment")} {follow.Workload}", indent: 1)
                .Field("Ratio", $"{follow.Ratio.ToString(CultureInfo.InvariantCulture)} replicas per replica of the leader (its decision, else its current count)", indent: 1);
        }
        else
        {
            d.Section("Metrics");
            foreach (var m in p.Spec.Metrics ?? [])
            {
                d.Field(m.Name, $"{m.Query}  (target {m.Target.ToString(CultureInfo.InvariantCulture)} {m.TargetType ?? "PerReplica"})", indent: 1);
            }
        }

        if (p.Spec.Behavior is { } behavior)
        {
            d.Section("Behavior");
            if (behavior.ScaleUp is { } up)
            {
                d.Field("Scale Up", PolicyGuardrailText.Direction(up), indent: 1);
            }

            if (behavior.ScaleDown is { } down)
            {
                d.Field("Scale Down", PolicyGuardrailText.Direction(down), indent: 1);
            }

            d.Field("Change Budget", PolicyGuardrailText.ChangeBudget(behavior.ChangeBudget), indent: 1);
        }

        if (p.Spec.Schedules is { Count: > 0 } schedules)
        {
            d.Section("Schedules");
            foreach (var s in schedules)
            {
                d.Field(s.Name, PolicyGuardrailText.Schedule(s), indent: 1);
            }
        }

        if (p.Spec.LeadingSignal is { } signal)
        {
            d.Section("Leading Signal")
                .Field(signal.Name, signal.Query, indent: 1)
                .Field("Conversion", $"{signal.RequestsPerUnit.ToString(CultureInfo.InvariantCulture)} {signal.Metric ?? "(first metric)"} per unit, +{signal.Headroom * 100:0}% headroom", indent: 1)
                .Field("Lead / Hold", $"{signal.LeadSeconds}s / {signal.HoldSeconds}s", indent: 1)
                .Field("Learned", LearnedText(signal, p.Status?.LeadingSignal, context), indent: 1);
        }

        if (p.Spec.ExpectedEvents is { Count: > 0 } events)
        {
            d.Section("Expected Events");
            foreach (var e in events.OrderBy(e => e.At))
            {
                var sizing = Sizing(e);
                var when = context.Now >= e.FloorEnd ? "ended" : context.Now >= e.FloorStart ? "active" : context.Until(e.FloorStart);
                d.Field(e.Name, $"{e.Replicas} replicas{sizing} from {e.FloorStart:u} until {e.FloorEnd:u} ({when}) by {e.By ?? "?"} via {e.Channel ?? "?"}: {e.Reason}", indent: 1);
            }
        }

        if (p.Spec.Approval is { } approval)
        {
            d.Section("Approval")
                .Field("Approvers", string.Join(", ", approval.Approvers ?? []), indent: 1)
                .Field("Required", approval.RequiredApprovals, indent: 1)
                .Field("Expires After", CompactDuration.Of(TimeSpan.FromSeconds(approval.ExpirySeconds)), indent: 1)
                .Field("Escalation", approval.Escalation is { } escalation ? PolicyGuardrailText.Escalation(escalation) : "none", indent: 1)
                .Field("Reject Back-off", approval.RejectBackoffSeconds == 0 ? "off" : CompactDuration.Of(TimeSpan.FromSeconds(approval.RejectBackoffSeconds)), indent: 1)
                .Field("Return To Normal", PolicyGuardrailText.ReturnToNormal(p.Spec.ScaleDownMode ?? p.Spec.Mode, approval.ReturnToNormalAfterSeconds), indent: 1);
        }

        d.Section("Status")
            .Field("Current Replicas", Columns.Number(p.Status?.CurrentReplicas), indent: 1)
            .Field("Desired Replicas", Columns.Number(p.Status?.DesiredReplicas), indent: 1)
            .Field("Last Evaluation", p.Status?.LastEvaluationTime is { } t ? $"{t:u} ({context.Age(t)} ago)" : null, indent: 1)
            .Field("Last Reason", p.Status?.LastReason, indent: 1);
        if (p.Status?.HeldBy is { } heldBy)
        {
            // Why a tap on its card may wait (fail static, a freeze) or apply over the engine's own brake.
            d.Field("Held By", p.Status.UnheldReplicas is { } unheld ? $"{heldBy} (would go to {unheld})" : heldBy, indent: 1);
        }

        foreach (var c in p.Status?.Conditions ?? [])
        {
            d.Field($"Condition {c.Type}", $"{c.Status} {c.Reason} {c.Message}".Trim(), indent: 1);
        }

        if (ObserveText.Observes(p.Spec.Mode))
        {
            if (p.Status?.Observation is { } observation)
            {
                ObserveText.Describe(d, observation, context);
            }
            else
            {
                d.Section("Observation (mode Observe: nothing written)").Field("Since", "not evaluated in mode Observe yet", indent: 1);
            }
        }

        d.Flush();
    }

    /// <summary>
    /// What the signal's events taught of its conversion, e.g. "x1.25 over 3 events (0.0125 per unit), last 2h ago at x1.4";
    /// "nothing yet" until an event is judged or when it was learned for another conversion (the loop then starts again).
    /// </summary>
    private static string LearnedText(LeadingSignal signal, LearnedSignal? learned, CommandContext context)
    {
        var c = CultureInfo.InvariantCulture;
        if (learned is null || learned.Events == 0)
        {
            return "nothing yet (requestsPerUnit as configured until an event's traffic is judged)";
        }

        if (learned.Name != signal.Name || learned.Query != signal.Query || learned.Metric != signal.Metric || !learned.RequestsPerUnit.Equals(signal.RequestsPerUnit))
        {
            return string.Create(c, $"nothing for this conversion (x{learned.LearnedFactor:0.##} was learned for {learned.RequestsPerUnit} per unit; starts again)");
        }

        var last = learned.LastEventAt is { } at
            ? string.Create(c, $", last {context.Age(at)} ago{(learned.LastEventFactor is { } f ? $" at x{f:0.##}" : "")}")
            : "";
        return string.Create(c,
            $"x{learned.LearnedFactor:0.##} over {learned.Events} event{(learned.Events == 1 ? "" : "s")} ({signal.RequestsPerUnit * learned.LearnedFactor:0.####} per unit){last}");
    }

    /// <summary>
    /// The base and where it came from (a forecast of the traffic at --at, or the replicas running when recorded), as
    /// the server's prepare line words it: " (3x of 15: 15 running now; …; capped by maxReplicas from 45)". Without
    /// the cap, "40 replicas (3x of 15 …)" did not add up.
    /// </summary>
    private static string Sizing(ExpectedEvent e)
    {
        if (e is not { Multiplier: { } multiplier, BaseReplicas: { } baseReplicas })
        {
            return "";
        }

        var source = e.BaseSource is { Length: > 0 } s ? ": " + s : "";
        var wanted = (int)Math.Min(int.MaxValue, Math.Ceiling((multiplier * baseReplicas) - 1e-9));
        var capped = e.Replicas < wanted ? $"{(source.Length > 0 ? ";" : ",")} capped by maxReplicas from {wanted}" : "";
        return $" ({multiplier.ToString("0.##", CultureInfo.InvariantCulture)}x of {baseReplicas}{source}{capped})";
    }
}
