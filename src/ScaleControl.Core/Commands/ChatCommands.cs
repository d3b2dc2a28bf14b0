using System.Text.Json.Serialization;
using ScaleControl.Times;

namespace ScaleControl.Core.Commands;

/// <summary>
/// What a person asked for in a chat with the robot, already parsed (the DingTalk adapter parses; the server
/// executes). Workloads and proposals are named <c>namespace/name</c>. The commands that can wait for a confirmation
/// are stored with it (as JSON, by type).
/// </summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(ScaleCommand), "scale")]
[JsonDerivedType(typeof(FreezeCommand), "freeze")]
[JsonDerivedType(typeof(UnprepareCommand), "unprepare")]
public abstract record ChatCommand
{
    /// <summary>The verb as typed in the grammar (for help, audit and metrics).</summary>
    public abstract string Verb { get; }

    /// <summary>Whether the command changes anything (then the sender needs the operator role in the namespace).</summary>
    public virtual bool Changes => false;
}

public sealed record HelpCommand : ChatCommand
{
    public override string Verb => "help";
}

public sealed record WhoAmICommand : ChatCommand
{
    public override string Verb => "whoami";
}

/// <param name="Namespace">Null: every policy the sender may see.</param>
public sealed record StatusCommand(string? Namespace, string? Workload) : ChatCommand
{
    public override string Verb => "status";
}

public sealed record ProposalsCommand : ChatCommand
{
    public override string Verb => "proposals";
}

/// <param name="Name">A proposal name, or a workload name (then its open proposal is meant).</param>
/// <param name="AllRows">Typed <c>approve all …</c>: every pending row of the card that proposal is on, as the card's "Approve all".</param>
public sealed record ApproveCommand(string Namespace, string Name, bool AllRows = false) : ChatCommand
{
    public override string Verb => AllRows ? "approve all" : "approve";

    public override bool Changes => true;
}

/// <param name="AllRows">Typed <c>reject all …</c>: every pending row of the card that proposal is on, as the card's "Reject all".</param>
public sealed record RejectCommand(string Namespace, string Name, string? Reason, bool AllRows = false) : ChatCommand
{
    public override string Verb => AllRows ? "reject all" : "reject";

    public override bool Changes => true;
}

/// <summary>Pin <paramref name="Workload"/> at <paramref name="To"/> for a while, only if it runs <paramref name="From"/> now
/// (kubectl's <c>--current-replicas</c>): a stale message cannot scale twice. Without <paramref name="From"/> (typed
/// <c>to 10</c>) nothing is changed: the answer says the running count and the command to send.</summary>
public sealed record ScaleCommand(string Namespace, string Workload, int? From, int To, TimeSpan Duration, string Reason) : ChatCommand
{
    public override string Verb => "scale";

    public override bool Changes => true;
}

/// <param name="Workload">Null: every policy of the namespace (a risky command that needs confirming).</param>
public sealed record FreezeCommand(string Namespace, string? Workload, TimeSpan Duration, string Reason) : ChatCommand
{
    public override string Verb => "freeze";

    public override bool Changes => true;
}

/// <param name="Workload">Null: every frozen policy of the namespace (undoes <c>freeze ns/*</c>; lifting needs no confirming).</param>
public sealed record UnfreezeCommand(string Namespace, string? Workload) : ChatCommand
{
    public override string Verb => "unfreeze";

    public override bool Changes => true;
}

public sealed record UnpinCommand(string Namespace, string Workload) : ChatCommand
{
    public override string Verb => "unpin";

    public override bool Changes => true;
}

/// <summary>Take an applied change back, as the card's Undo button and <c>scalectl undo</c> do.</summary>
/// <param name="Name">A proposal name, or a workload name (then its newest applied change is meant).</param>
public sealed record UndoCommand(string Namespace, string Name, string? Reason) : ChatCommand
{
    public override string Verb => "undo";

    public override bool Changes => true;
}

public sealed record HistoryCommand(string Namespace, string Workload) : ChatCommand
{
    public override string Verb => "history";
}

/// <summary>Confirms a risky command the robot asked about, by the code it gave.</summary>
public sealed record ConfirmCommand(string Code) : ChatCommand
{
    public override string Verb => "confirm";

    public override bool Changes => true;
}

/// <summary>
/// Announce traffic, as <c>scalectl prepare</c>: a floor from the lead before <paramref name="At"/> until the event ends,
/// sized as <paramref name="Multiplier"/> × a forecast of the traffic then (never below today's replicas) or as <paramref name="Replicas"/> (exactly one).
/// </summary>
public sealed record PrepareCommand(string Namespace, string Workload, EventTime At, TimeSpan Duration, double? Multiplier, int? Replicas, string Reason) : ChatCommand
{
    public override string Verb => "prepare";

    public override bool Changes => true;
}

/// <summary>Cancel an expected event, as <c>scalectl unprepare</c>; the floor goes with it.</summary>
/// <param name="Workload">A workload name (its policy is meant), or a policy name.</param>
/// <param name="Event">Null: the robot lists the policy's events.</param>
public sealed record UnprepareCommand(string Namespace, string Workload, string? Event) : ChatCommand
{
    public override string Verb => "unprepare";

    public override bool Changes => true;
}

/// <summary>
/// When an announced event starts, as typed in chat: a clock time (in the chat's time zone, the next one), a date and
/// time in that zone, <c>+30m</c> from now, or a time with its own offset.
/// </summary>
public sealed record EventTime
{
    public TimeOnly? Clock { get; init; }
    public DateTime? Local { get; init; }
    public TimeSpan? After { get; init; }
    public DateTimeOffset? Absolute { get; init; }

    /// <summary>
    /// The start, with <see cref="WallClock"/>'s rule (the same as <c>scalectl prepare</c>): a clock time today, or
    /// tomorrow when an event of <paramref name="duration"/> starting today would be over. False: the clocks of
    /// <paramref name="zone"/> skip that local time (daylight saving).
    /// </summary>
    public bool TryResolve(DateTimeOffset now, TimeSpan duration, TimeZoneInfo zone, out DateTimeOffset at)
    {
        if (Absolute is { } absolute)
        {
            at = absolute;
            return true;
        }

        if (After is { } after)
        {
            at = now + after;
            return true;
        }

        return Local is { } local ? WallClock.TryInstant(local, zone, out at) : WallClock.TryNext(Clock!.Value, now, duration, zone, out at);
    }
}
