using System.Text.Json;
using System.Text.Json.Nodes;

namespace ScaleControl.Cli.Api;

// The client's own reading of the REST API (docs: API contract). Only what scalectl shows; enums stay strings so a
// newer server with more values still prints. -o json|yaml prints the server's JSON unchanged, not these.

internal sealed record Meta(string Name = "", string Namespace = "", DateTimeOffset? CreationTimestamp = null, IReadOnlyDictionary<string, string>? Annotations = null);

internal sealed record Target(string Kind = "", string Name = "");

internal sealed record Metric(string Name = "", string Query = "", string? TargetType = null, double Target = 0);

internal sealed record Freeze(DateTimeOffset Until, string? Reason = null, string? By = null);

internal sealed record Pin(int Replicas, DateTimeOffset Until, string? Reason = null, string? By = null);

internal sealed record LeadingSignal(string Name = "", string Query = "", string? Metric = null, double RequestsPerUnit = 0, int LeadSeconds = 0, int HoldSeconds = 0, double Headroom = 0);

internal sealed record ExpectedEvent(
    string Name,
    DateTimeOffset At,
    int DurationSeconds = 0,
    int LeadSeconds = 0,
    int Replicas = 0,
    double? Multiplier = null,
    int? BaseReplicas = null,
    string? BaseSource = null,
    string? Reason = null,
    string? By = null,
    string? Channel = null)
{
    public DateTimeOffset FloorStart => Plus(At, -LeadSeconds);

    public DateTimeOffset FloorEnd => Plus(At, DurationSeconds);

    /// <summary>Held at the ends of the calendar: one policy with a time near year 1 or 9999 must not break every listing.</summary>
    private static DateTimeOffset Plus(DateTimeOffset at, int seconds) =>
        new(Math.Clamp(at.UtcTicks + (seconds * TimeSpan.TicksPerSecond), DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
}

internal sealed record Escalation(int AfterSeconds = 0, string? DingType = null, IReadOnlyList<string>? Receivers = null);

internal sealed record Approval(
    IReadOnlyList<string>? Approvers = null,
    int RequiredApprovals = 1,
    int ExpirySeconds = 0,
    string? OpenConversationId = null,
    Escalation? Escalation = null,
    int RejectBackoffSeconds = 1800,
    int ReturnToNormalAfterSeconds = 900);

internal sealed record StepLimit(int? Pods = null, double? Percent = null);

internal sealed record DirectionBehavior(StepLimit? MaxStep = null, int PeriodSeconds = 0, int StabilizationWindowSeconds = 0, int CooldownSeconds = 0, double? Tolerance = null);

internal sealed record Behavior(DirectionBehavior? ScaleUp = null, DirectionBehavior? ScaleDown = null, int ChangeBudget = 0);

internal sealed record Schedule(
    string Name = "",
    string? Cron = null,
    string? TimeZone = null,
    int? DurationSeconds = null,
    DateTimeOffset? Start = null,
    DateTimeOffset? End = null,
    int MinReplicas = 0,
    IReadOnlyList<string>? ExcludeDates = null);

internal sealed record PolicySpec(
    Target? Target = null,
    IReadOnlyList<Metric>? Metrics = null,
    int MinReplicas = 0,
    int MaxReplicas = 0,
    string? Mode = null,
    Approval? Approval = null,
    Freeze? Freeze = null,
    Pin? Pin = null,
    LeadingSignal? LeadingSignal = null,
    IReadOnlyList<ExpectedEvent>? ExpectedEvents = null,
    string? ScaleDownMode = null,
    Behavior? Behavior = null,
    IReadOnlyList<Schedule>? Schedules = null,
    Follow? Follow = null,
    string? Group = null);

internal sealed record Follow(string Workload = "", string? Kind = null, double Ratio = 1);

internal sealed record Condition(string Type = "", string Status = "", string? Reason = null, string? Message = null);

internal sealed record PolicyStatus(
    DateTimeOffset? LastEvaluationTime = null,
    int? CurrentReplicas = null,
    int? DesiredReplicas = null,
    string? LastReason = null,
    IReadOnlyList<Condition>? Conditions = null,
    string? HeldBy = null,
    int? UnheldReplicas = null,
    LearnedSignal? LeadingSignal = null,
    Observation? Observation = null);

/// <summary>An Observe policy's comparison with what ran (the server's <c>status.observation</c>).</summary>
internal sealed record Observation(
    DateTimeOffset Since = default,
    DateTimeOffset LastObserved = default,
    int WouldReplicas = 0,
    int RunningReplicas = 0,
    double ObservedSeconds = 0,
    double DifferentSeconds = 0,
    double PodSecondsMore = 0,
    double PodSecondsLess = 0,
    int WouldChanges = 0,
    int WorkloadChanges = 0);

internal sealed record LearnedSignal(double LearnedFactor = 1, int Events = 0, DateTimeOffset? LastEventAt = null, double? LastEventFactor = null, double RequestsPerUnit = 0, string Name = "", string Query = "", string? Metric = null);

internal sealed record Policy
{
    public Meta Metadata { get; init; } = new();
    public PolicySpec Spec { get; init; } = new();
    public PolicyStatus? Status { get; init; }
}

internal sealed record MetricEvidence(string Name = "", double? Value = null, double? Predicted = null, double Target = 0, int? Recommendation = null, string? Problem = null);

internal sealed record Evidence(IReadOnlyList<MetricEvidence>? Metrics = null, int CurrentReplicas = 0, int ReadyReplicas = 0, string? BoundBy = null);

internal sealed record ProposalSpec(
    string PolicyName = "",
    Target? Target = null,
    int FromReplicas = 0,
    int ToReplicas = 0,
    int? AlternativeReplicas = null,
    string Reason = "",
    Evidence? Evidence = null,
    string? RequestedBy = null,
    bool RequiresTwoPersons = false,
    int RequiredApprovals = 1,
    IReadOnlyList<string>? Approvers = null,
    DateTimeOffset? ExpiresAt = null,
    DateTimeOffset? EscalateAt = null,
    Capacity? Capacity = null,
    int? PreEventReplicas = null);

/// <summary>The cost and room of the change, with the server's own wording of both lines.</summary>
internal sealed record Capacity(string? ChangeText = null, string? RoomText = null, DateTimeOffset? AssessedAt = null);

internal sealed record ApprovalRecord(string User = "", string? Channel = null, DateTimeOffset? At = null, int Replicas = 0);

internal sealed record RejectionRecord(string User = "", string? Channel = null, DateTimeOffset? At = null, string Reason = "");

internal sealed record PhaseTransition(string? From = null, string? To = null, DateTimeOffset? At = null, string By = "", string Message = "");

internal sealed record ProposalStatus(
    string Phase = "",
    IReadOnlyList<ApprovalRecord>? Approvals = null,
    RejectionRecord? Rejection = null,
    int? AppliedReplicas = null,
    DateTimeOffset? AppliedAt = null,
    string? Message = null,
    string? SupersededBy = null,
    IReadOnlyList<PhaseTransition>? History = null,
    IReadOnlyList<AppliedStep>? AppliedSteps = null,
    UndoRecord? Undo = null,
    UndoWithdrawal? UndoWithdrawn = null,
    Capacity? AppliedCapacity = null);

/// <summary>Who undid an applied change, when, through which proposal, back to what.</summary>
internal sealed record UndoRecord(string Proposal = "", string By = "", string? Channel = null, DateTimeOffset? At = null, int Replicas = 0);

/// <summary>Why an applied change stopped offering Undo, in the server's words.</summary>
internal sealed record UndoWithdrawal(string? Cause = null, DateTimeOffset? At = null, string Message = "");

/// <summary>A part applied before the rest of a proposal went back to Pending, with the approvals that granted it.</summary>
internal sealed record AppliedStep(int From = 0, int To = 0, DateTimeOffset? At = null, IReadOnlyList<ApprovalRecord>? Approvals = null);

internal sealed record Proposal
{
    public Meta Metadata { get; init; } = new();
    public ProposalSpec Spec { get; init; } = new();
    public ProposalStatus Status { get; init; } = new();

    /// <summary>Whether ScaleControl recorded each approval and the rejection (the server checks the seals); null from a list.</summary>
    public ProposalVerification? Verification { get; init; }
}

/// <summary>One list entry per <c>status.approvals</c> (and per applied step's approvals), in order, and the rejection's.</summary>
internal sealed record ProposalVerification(
    IReadOnlyList<RecordVerification>? Approvals = null,
    IReadOnlyList<IReadOnlyList<RecordVerification>>? AppliedSteps = null,
    RecordVerification? Rejection = null);

/// <summary>The person as the server names them: "lisi", or "lisi (unverified: why)" for a record ScaleControl did not write.</summary>
internal sealed record RecordVerification(string User = "", bool Unverified = false, string? Reason = null, string? Label = null);

internal sealed record DecisionResult(string Result = "", string? Message = null, Proposal? Proposal = null, IReadOnlyList<DecisionRow>? Rows = null);

/// <summary>One row of a group card decided with <c>--all</c>: its workload, step, phase now, and the server's result for it.</summary>
internal sealed record DecisionRow(
    string Proposal = "", string Workload = "", int FromReplicas = 0, int ToReplicas = 0, string Phase = "", string Result = "", string? Message = null);

internal sealed record HistoryEntry(
    DateTimeOffset Time,
    string Namespace = "",
    string Workload = "",
    string? Policy = null,
    string Kind = "",
    int? From = null,
    int? To = null,
    string? By = null,
    string? Channel = null,
    string? Message = null,
    string? Proposal = null,
    string? Reason = null);

internal sealed record MetricStatus(string Name = "", double? Value = null, double? Predicted = null, string? Status = null, string? Problem = null, double? Target = null, string? TargetType = null);

internal sealed record PolicyRuntime(
    string Namespace = "",
    string Name = "",
    JsonNode? Target = null,
    string? Mode = null,
    int? CurrentReplicas = null,
    int? ReadyReplicas = null,
    int? DesiredReplicas = null,
    IReadOnlyList<MetricStatus>? Metrics = null,
    string? LastReason = null,
    DateTimeOffset? FrozenUntil = null,
    DateTimeOffset? PinnedUntil = null,
    int? PinnedReplicas = null,
    string? OpenProposal = null,
    DateTimeOffset? LastEvaluation = null,
    NotReadyPods? NotReady = null,
    string? Held = null,
    int? OpenProposalTo = null,
    Observation? Observation = null);

/// <summary>Why READY is below CURRENT, with the server's own wording of each line.</summary>
internal sealed record NotReadyPods(int Pods = 0, IReadOnlyList<string>? Lines = null);

internal sealed record ServerStatus(
    string Mode = "",
    string? Identity = null,
    string? Leader = null,
    bool IsLeader = false,
    DateTimeOffset? LastTick = null,
    IReadOnlyList<PolicyRuntime>? Policies = null,
    IReadOnlyList<string>? Namespaces = null,
    IReadOnlyList<UnseenProposal>? Unseen = null);

/// <summary>A proposal waiting for approval that nobody may have been told about (its card not delivered, its escalation failed), in the server's words.</summary>
internal sealed record UnseenProposal(string Namespace = "", string Name = "", string Workload = "", string Line = "");

internal sealed record WhatIfStep(
    DateTimeOffset Time,
    IReadOnlyDictionary<string, double?>? Values = null,
    IReadOnlyDictionary<string, double?>? Predicted = null,
    int CurrentReplicas = 0,
    int DesiredReplicas = 0,
    string Outcome = "",
    string? Reason = null,
    string? Approval = null);

internal sealed record WhatIfSummary(int Changes = 0, int MaxReplicas = 0, int MinReplicas = 0, int Proposals = 0, int Applied = 0, int Approved = 0, int Expired = 0);

internal sealed record WhatIfResult(string? Policy, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<WhatIfStep>? Steps = null, WhatIfSummary? Summary = null,
    int StartReplicas = 0, string? StartedFrom = null, string? Note = null, int ApprovalDelaySeconds = 0, string? ApprovalDelaySource = null);

internal static class Models
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web);

    /// <summary>Reads the client's view of an API object; a shape it cannot read is a one-line error, not a stack trace.</summary>
    public static T As<T>(this JsonNode node)
    {
        try
        {
            return node.Deserialize<T>(s_options) ?? throw new CliException($"the server sent an empty {typeof(T).Name}");
        }
        catch (JsonException e)
        {
            throw new CliException($"the server sent a {typeof(T).Name} this scalectl cannot read ({e.Path}): {e.Message}", e);
        }
    }
}
