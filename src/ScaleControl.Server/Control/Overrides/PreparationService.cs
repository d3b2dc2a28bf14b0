using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Control.Overrides;

/// <summary>What someone announces: traffic at <see cref="At"/> for <see cref="DurationSeconds"/>, as a multiple of the traffic then without it or as replicas.</summary>
public sealed record PrepareRequest(
    DateTimeOffset At,
    int DurationSeconds,
    string Reason,
    double? Multiplier = null,
    int? Replicas = null,
    int? LeadSeconds = null,
    string? Name = null);

/// <summary>The recorded event and a line that says what will happen, or the problem (with the request field at fault, when there is one).</summary>
public sealed record PrepareResult(ScalePolicy? Policy, ExpectedEventSpec? Event, string Message, int Status = StatusCodes.Status200OK, string? Field = null)
{
    /// <summary>What the person who recorded it must know beyond the floor: it changes nothing today, it comes as a card, it replaced an event ("" when none).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Expected events (<c>scalectl prepare</c>, the API, chat): recorded in the policy's spec like pins and freezes
/// (so every replica and restart honours them), where the engine turns each into a floor from its lead before
/// <c>at</c> until it ends. The floor goes through the policy's mode: where approval is needed it is a proposal,
/// never an unapproved scale. Ended events are pruned when a new one is recorded.
/// </summary>
public sealed class PreparationService(
    IPolicyStore policies, IWorkloadClient workloads, PolicySpecEditor editor, OverrideService overrides, DecisionEngine engine, EventBaselineReader baselines, NeedUnderOverride needs, CapacityAssessor capacity, TimeProvider time)
{
    /// <summary>Slack on top of the pod start-up time: an evaluation or two and the write.</summary>
    public static readonly TimeSpan StartupSlack = TimeSpan.FromSeconds(60);

    /// <summary>Extra lead where a scale-up needs approval: time for someone to tap the card.</summary>
    public static readonly TimeSpan ApprovalLead = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(30);

    public async Task<PrepareResult> PrepareAsync(string @namespace, string name, PrepareRequest request, string user, ApprovalChannel channel, CancellationToken cancellationToken)
    {
        if (await policies.GetAsync(@namespace, name, cancellationToken) is not { } policy)
        {
            return new PrepareResult(null, null, $"ScalePolicy {@namespace}/{name} does not exist", StatusCodes.Status404NotFound);
        }

        if (PolicySpecEditor.Unreadable(policy) is { } unreadable)
        {
            return new PrepareResult(null, null, unreadable.Problem!, unreadable.Status);
        }

        var now = time.GetUtcNow();
        // The horizon first: a time near year 9999 plus the duration would not be a time at all.
        if (request.At > now + MaxAhead)
        {
            return new PrepareResult(null, null, $"at ({request.At:u}) is more than {MaxAhead.TotalDays:0} days ahead; record it closer to the event", StatusCodes.Status400BadRequest, "at");
        }

        var ends = new ExpectedEventSpec { At = request.At, DurationSeconds = request.DurationSeconds }.FloorEnd();
        if (ends <= now)
        {
            return new PrepareResult(null, null, $"the event has already ended ({ends:u}); give a time in the future", StatusCodes.Status400BadRequest, "at");
        }

        var spec = policy.Spec;
        var workload = await workloads.GetAsync(ProposalFactory.TargetOf(policy), cancellationToken);
        int replicas;
        EventBase? sizedFrom = null;
        if (request.Replicas is { } explicitReplicas)
        {
            if (explicitReplicas > spec.MaxReplicas)
            {
                return new PrepareResult(null, null, $"replicas {explicitReplicas} is above the policy's maxReplicas ({spec.MaxReplicas}); raise maxReplicas first or ask for less", StatusCodes.Status400BadRequest, "replicas");
            }

            replicas = explicitReplicas;
        }
        else
        {
            if (workload is null)
            {
                return new PrepareResult(null, null, $"cannot size {request.Multiplier}x: {spec.Target.Kind} {@namespace}/{spec.Target.Name} does not exist; give replicas instead", StatusCodes.Status409Conflict);
            }

            // The multiple is of the traffic expected at 'at' without the event, not of today's: a forecast of it,
            // never below what the traffic needs now (the running count, unless a pin or freeze set that).
            var floorNow = await needs.ReadAsync(policy, workload.SpecReplicas, cancellationToken);
            sizedFrom = await baselines.ReadAsync(spec, floorNow, request.At, request.DurationSeconds, cancellationToken);
            var wanted = Wanted(request.Multiplier!.Value, sizedFrom.Replicas);
            replicas = Math.Clamp(wanted, 1, spec.MaxReplicas);
        }

        var startup = workload?.ObservedStartupTime ?? engine.Options.DefaultLookAhead;
        var needsApproval = spec.Mode is ScaleMode.Approval or ScaleMode.Hybrid;
        var lead = request.LeadSeconds ?? (int)Math.Ceiling((startup + StartupSlack + (needsApproval ? ApprovalLead : TimeSpan.Zero)).TotalSeconds);
        var expected = new ExpectedEventSpec
        {
            Name = request.Name ?? FreeDefaultName(spec, request.At, now),
            At = request.At,
            DurationSeconds = request.DurationSeconds,
            LeadSeconds = lead,
            Replicas = replicas,
            Multiplier = request.Replicas is null ? request.Multiplier : null,
            BaseReplicas = sizedFrom?.Replicas,
            BaseSource = sizedFrom?.Source,
            Reason = request.Reason,
            By = user,
            Channel = channel.ToString(),
            CreatedAt = now,
        };

        if (spec.ExpectedEvents.Count(e => e.FloorEnd() > now && e.Name != expected.Name) >= ExpectedEventSpec.MaxPerPolicy)
        {
            return new PrepareResult(null, null, $"ScalePolicy {policy.Key} already has {ExpectedEventSpec.MaxPerPolicy} expected events to come; cancel one first", StatusCodes.Status409Conflict);
        }

        var sizing = Sizing(expected);
        var mode = ObserveMode.Observes(spec)
            ? "; the policy is in mode Observe, so the floor is observed (what it would run, its status and Events), not applied"
            : workload is { } w && replicas <= w.SpecReplicas
            ? $"; at or below today's {w.SpecReplicas} replicas, so it changes nothing unless the workload is scaled below it by then"
            : needsApproval ? "; the policy needs approval, so it comes as a card when the floor starts" : "";
        var replaced = Upcoming(spec, expected.Name, now) is { } earlier
            ? $"; replaces the event recorded by {earlier.By} ({earlier.Reason})"
            : "";
        // A floor past the nodes' free room is recorded all the same (nodes may come by then), but says so, as a pin does.
        // (The estimate reads the nodes only when the floor is above the running count.)
        var room = workload is { } running
            && OverrideRules.RoomNote(await capacity.EstimateAsync(running.SpecReplicas, replicas, running, cancellationToken), "this floor") is { } tight
            ? $"; {tight}"
            : "";
        var message = $"expected event {expected.Name} on {policy.Key}: floor {replicas} replicas{sizing} from {expected.FloorStart():u} until {expected.FloorEnd():u}{mode}{replaced}{room}";
        var recorded = $"{message}, by {user} via {channel}: {request.Reason}";
        var result = await editor.ChangeAsync(@namespace, name, s => s with
        {
            ExpectedEvents = [.. s.ExpectedEvents.Where(e => e.FloorEnd() > now && e.Name != expected.Name), expected],
        }, cancellationToken, overrides.Recorded("Prepared", user, channel, requestKey: null, _ => recorded, request.Reason));
        if (result.Policy is not { } stored)
        {
            return new PrepareResult(null, null, result.Problem ?? "not recorded", result.Status);
        }

        var notes = new[] { mode, replaced, room }.Where(n => n.Length > 0).Select(n => n[2..]).ToList(); // each starts with "; "
        await overrides.AnnounceAsync(stored, "Prepared", user, recorded, ScaleEventReasons.EventExpected, NoticeKind.EventExpected, cancellationToken);
        return new PrepareResult(stored, expected, message) { Notes = notes };
    }

    public async Task<PrepareResult> CancelAsync(string @namespace, string name, string eventName, string user, ApprovalChannel channel, CancellationToken cancellationToken)
    {
        if (await policies.GetAsync(@namespace, name, cancellationToken) is not { } policy)
        {
            return new PrepareResult(null, null, $"ScalePolicy {@namespace}/{name} does not exist", StatusCodes.Status404NotFound);
        }

        if (PolicySpecEditor.Unreadable(policy) is { } unreadable)
        {
            return new PrepareResult(null, null, unreadable.Problem!, unreadable.Status);
        }

        if (policy.Spec.ExpectedEvents.FirstOrDefault(e => e.Name == eventName) is not { } cancelled)
        {
            return new PrepareResult(null, null, $"ScalePolicy {policy.Key} has no expected event '{eventName}'", StatusCodes.Status404NotFound);
        }

        var message = $"expected event {eventName} on {policy.Key} cancelled";
        var recorded = $"{message} by {user} via {channel}";
        var result = await editor.ChangeAsync(@namespace, name, s => s with { ExpectedEvents = [.. s.ExpectedEvents.Where(e => e.Name != eventName)] }, cancellationToken,
            overrides.Recorded("Unprepared", user, channel, requestKey: null, _ => recorded));
        if (result.Policy is not { } stored)
        {
            return new PrepareResult(null, null, result.Problem ?? "not changed", result.Status);
        }

        await overrides.AnnounceAsync(stored, "Unprepared", user, recorded, ScaleEventReasons.EventExpected, NoticeKind.EventExpected, cancellationToken);
        return new PrepareResult(stored, cancelled, message);
    }

    /// <summary>
    /// The default name, with "-2", "-3"… when an event still to come already has it: two announcements in the same
    /// minute (a push and a kick-off) are two events; only an explicit name replaces one.
    /// </summary>
    private static string FreeDefaultName(ScalePolicySpec spec, DateTimeOffset at, DateTimeOffset now)
    {
        var name = DefaultName(at);
        for (var n = 2; Upcoming(spec, name, now) is not null; n++)
        {
            name = $"{DefaultName(at)}-{n}";
        }

        return name;
    }

    /// <summary>The event of that name whose floor has not ended yet, if any.</summary>
    private static ExpectedEventSpec? Upcoming(ScalePolicySpec spec, string name, DateTimeOffset now) =>
        spec.ExpectedEvents.FirstOrDefault(e => e.FloorEnd() > now && e.Name == name);

    /// <summary>"event-20261204-2000": a DNS label from the time (UTC), so one event per minute needs no name.</summary>
    public static string DefaultName(DateTimeOffset at) => "event-" + at.UtcDateTime.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);

    /// <summary>
    /// How its floor was sized: " (3x of 20: the demand 1 day before, at 2026-12-03 20:00Z; 12 running now)", with
    /// "; capped by maxReplicas from 60" where it was; " (3x of 6)" for an event recorded before the base had a source;
    /// "" for an event given in replicas.
    /// </summary>
    public static string Sizing(ExpectedEventSpec expected)
    {
        if (expected is not { Multiplier: { } multiplier, BaseReplicas: { } baseReplicas })
        {
            return "";
        }

        var wanted = Wanted(multiplier, baseReplicas);
        var source = expected.BaseSource is { Length: > 0 } s ? ": " + s : "";
        var capped = expected.Replicas < wanted ? $"{(source.Length > 0 ? ";" : ",")} capped by maxReplicas from {wanted}" : "";
        return $" ({Multiple(multiplier)} of {baseReplicas}{source}{capped})";
    }

    /// <summary>The multiple of the base, rounded up (3 × 2.5 pods is 8): what the floor asks before maxReplicas caps it.</summary>
    private static int Wanted(double multiplier, int baseReplicas) => (int)Math.Min(int.MaxValue, Math.Ceiling(multiplier * baseReplicas - 1e-9));

    private static string Multiple(double multiplier) => multiplier.ToString("0.##", CultureInfo.InvariantCulture) + "x";
}
