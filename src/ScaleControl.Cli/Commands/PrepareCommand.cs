using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>
/// <c>scalectl prepare POLICY --at 20:00 --expect 3x --for 20m --reason "push to 30M users"</c>: announce traffic
/// so the policy raises a floor before it arrives (from the start-up lead before <c>--at</c> until it ends). Where
/// the policy needs approval the floor comes as a card like any other scale-up.
/// </summary>
internal sealed class PrepareCommand : ApiCommand
{
    private static readonly Argument<string> s_policy = new("POLICY")
    {
        Description = "Policy: NAMESPACE/NAME, or NAME with -n",
        CompletionSources = { ServerCompletions.Policies },
    };

    private static readonly Option<string> s_at = new("--at")
    {
        Description = "When the traffic starts: 20:00 (local time, next occurrence), +30m, or 2026-12-04T20:00+08:00",
        Required = true,
        HelpName = "TIME",
    };

    private static readonly Option<TimeSpan> s_for = DurationOption.Create("--for", "How long the traffic lasts, e.g. 20m");

    private static readonly Option<double?> s_expect = new("--expect")
    {
        Description = "Expected traffic as a multiple of the usual traffic then, e.g. 3x (of the demand at that time a day and a week before, at least the replicas now)",
        HelpName = "MULTIPLE",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value.Trim();
            var number = text.EndsWith('x') || text.EndsWith('X') ? text[..^1] : text;
            if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var multiple) && multiple > 0 && multiple <= 100)
            {
                return multiple;
            }

            result.AddError($"--expect '{text}' is not a multiple such as 3x (more than 0, at most 100)");
            return null;
        },
    };

    private static readonly Option<int?> s_replicas = new("--replicas")
    {
        Description = "Or the floor itself, in replicas",
    };

    private static readonly Option<TimeSpan?> s_lead = new("--lead")
    {
        Description = "Start the floor this long before --at (default: pod start-up + 1m, + 5m where approval is needed)",
        HelpName = "DURATION",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
            if (Durations.TryParse(text, out var lead) && lead <= TimeSpan.FromDays(1))
            {
                return lead;
            }

            result.AddError($"--lead '{text}' is not a duration such as 10m (at most 1d)");
            return null;
        },
    };

    private static readonly Option<string?> s_name = new("--name")
    {
        Description = "A name for the event (default event-YYYYMMDD-HHMM from --at, in UTC)",
    };

    private static readonly Option<string> s_reason = new("--reason")
    {
        Description = "What is expected (recorded in the history)",
        Required = true,
    };

    public PrepareCommand()
        : base("prepare", "Announce expected traffic: raise the policy's floor before it arrives")
    {
        Arguments.Add(s_policy);
        Options.Add(s_at);
        Options.Add(s_for);
        Options.Add(s_expect);
        Options.Add(s_replicas);
        Options.Add(s_lead);
        Options.Add(s_name);
        Options.Add(s_reason);
        s_at.Validators.Add(r =>
        {
            var text = r.Tokens.Count == 0 ? "" : r.Tokens[0].Value;
            if (!EventTimes.IsValid(text))
            {
                r.AddError(EventTimes.YearOutOfRange(text)
                    ? $"--at '{text}': the year must be {EventTimes.MinYear} to {EventTimes.MaxYear}"
                    : $"--at '{text}' is not a time such as 20:00, +30m or 2026-12-04T20:00+08:00");
            }
        });
        Validators.Add(r =>
        {
            var expect = r.GetResult(s_expect) is not null;
            var replicas = r.GetResult(s_replicas) is not null;
            if (expect == replicas)
            {
                r.AddError("give exactly one of --expect (e.g. 3x) and --replicas");
            }
            else if (r.GetResult(s_replicas)?.Tokens is [var token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var count) && count < 1)
            {
                r.AddError("--replicas must be at least 1");
            }
        });
    }

    protected override async Task ExecuteAsync(CommandContext context, CancellationToken ct)
    {
        var id = context.Id(context.Parse.GetValue(s_policy)!);
        var duration = context.Parse.GetValue(s_for);
        var text = context.Parse.GetValue(s_at);
        if (!EventTimes.TryResolve(text, context.Now, duration, TimeZoneInfo.Local, out var at, out var skipped))
        {
            // The shape was checked when parsing: only a local time the clocks skip (daylight saving) is left.
            throw new CliException(EventTimes.SkippedMessage(text!, skipped ?? default, TimeZoneInfo.Local));
        }

        var body = new JsonObject
        {
            ["at"] = at.ToString("O", CultureInfo.InvariantCulture),
            ["durationSeconds"] = (long)duration.TotalSeconds,
            ["reason"] = context.Parse.GetValue(s_reason),
            ["multiplier"] = context.Parse.GetValue(s_expect),
            ["replicas"] = context.Parse.GetValue(s_replicas),
            ["leadSeconds"] = context.Parse.GetValue(s_lead) is { } lead ? (long)lead.TotalSeconds : null,
            ["name"] = context.Parse.GetValue(s_name),
        };
        var node = await context.Api.PostAsync($"policies/{id.Path}/expected-events", body, ct);
        if (!context.PrintRaw(node))
        {
            context.Out.WriteLine(node["message"]?.GetValue<string>());
        }
    }
}
