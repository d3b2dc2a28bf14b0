using System.Text.Json.Serialization;

namespace ScaleControl.Core.Policies;

/// <summary>
/// A ScalePolicy as stored in Kubernetes (<c>scalecontrol.io/v1alpha1</c>, namespaced) and as written in YAML.
/// The same shape is used by the CRD, the REST API and policy files.
/// </summary>
public sealed record ScalePolicy
{
    public const string ApiGroup = "scalecontrol.io";
    public const string ApiVersionValue = "scalecontrol.io/v1alpha1";
    public const string KindValue = "ScalePolicy";

    public string ApiVersion { get; init; } = ApiVersionValue;
    public string Kind { get; init; } = KindValue;
    public ObjectMeta Metadata { get; init; } = new();
    public ScalePolicySpec Spec { get; init; } = new();
    public ScalePolicyStatus? Status { get; init; }

    /// <summary>
    /// Set on a stand-in for a stored policy ScaleControl cannot read (a number beyond what its field holds, which a
    /// CRD installed before its schema had maxima lets through): which field, and why. Its <see cref="Spec"/> keeps only
    /// the target, so nothing acts on it, nothing writes it back, and the loop says so on its status. Never serialized.
    /// </summary>
    [JsonIgnore]
    public string? Unreadable { get; init; }

    /// <summary>
    /// The one wording of <see cref="Unreadable"/> for people (null for a readable policy); each refusal says after it what
    /// it did not do. A method, so it is not serialized.
    /// </summary>
    public string? UnreadableProblem() => Unreadable is { } problem ? $"ScalePolicy {Key} as stored cannot be read ({problem})" : null;

    /// <summary><c>namespace/name</c> of the policy.</summary>
    public string Key => $"{Metadata.Namespace}/{Metadata.Name}";
}

/// <summary>Kubernetes-style object metadata (the subset ScaleControl uses).</summary>
public sealed record ObjectMeta
{
    public string Name { get; init; } = "";
    public string Namespace { get; init; } = "default";
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public long? Generation { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

public sealed record ScalePolicySpec
{
    /// <summary>The workload to scale; it lives in the policy's namespace (as an HPA's scaleTargetRef does).</summary>
    public TargetRef Target { get; init; } = new();

    /// <summary>One or more metrics; the largest recommendation wins, as in the HPA.</summary>
    public IReadOnlyList<MetricSpec> Metrics { get; init; } = [];

    /// <summary>Instead of metrics: size from another workload's desired replicas × ratio (a call chain scales in one decision).</summary>
    public FollowSpec? Follow { get; init; }

    /// <summary>
    /// The most replicas a policy's bounds, a pin or a prepared floor may name: far above any real workload, far below
    /// int32's 2147483647, which validation used to accept as a bound the loop would scale towards.
    /// </summary>
    public const int MaxReplicaCount = 10_000;

    public int MinReplicas { get; init; } = 1;

    /// <summary>Required: no default, so a typo (<c>maxReplica</c>) is an error rather than a silent 10.</summary>
    public int MaxReplicas { get; init; }

    /// <summary>Relative band around the target inside which nothing changes (HPA default 0.1).</summary>
    public double Tolerance { get; init; } = 0.1;

    public ScaleMode Mode { get; init; } = ScaleMode.Auto;

    /// <summary>How scale-downs are handled; null means "as <see cref="Mode"/>".</summary>
    public ScaleMode? ScaleDownMode { get; init; }

    /// <summary>
    /// In Hybrid mode: the automatic allowance. Changes up to this limit (counted together over
    /// <see cref="AutoApproveWindowSeconds"/>) are applied without asking; beyond it the rest is proposed.
    /// </summary>
    public StepLimit? AutoApproveMaxStep { get; init; }

    /// <summary>
    /// Services that scale together (e.g. "feed-chain"): proposals of one group that are open together share one
    /// card (a row per service, Approve all, one DING, one expiry). Null: a card of its own.
    /// </summary>
    public string? Group { get; init; }

    /// <summary>The window over which automatic steps add up against <see cref="AutoApproveMaxStep"/> (default 10 minutes).</summary>
    public int AutoApproveWindowSeconds { get; init; } = 600;

    public ScalingBehavior Behavior { get; init; } = new();
    public PredictionSpec Prediction { get; init; } = new();
    public IReadOnlyList<ScheduleSpec> Schedules { get; init; } = [];

    /// <summary>A metric that moves before the traffic does (pushes sent, a topic climbing); it raises a floor ahead of the traffic.</summary>
    public LeadingSignalSpec? LeadingSignal { get; init; }

    /// <summary>Announced events (<c>scalectl prepare</c>): each is a replica floor from its lead until it ends.</summary>
    public IReadOnlyList<ExpectedEventSpec> ExpectedEvents { get; init; } = [];

    public ApprovalSpec? Approval { get; init; }
    public NotificationSpec? Notifications { get; init; }

    /// <summary>How often the policy is evaluated (default 5 s, at least 1 s).</summary>
    public int EvaluationIntervalSeconds { get; init; } = 5;

    /// <summary>While set and not expired, the control loop changes nothing for this policy.</summary>
    public FreezeSpec? Freeze { get; init; }

    /// <summary>While set and not expired, the workload is held at a fixed replica count.</summary>
    public PinSpec? Pin { get; init; }
}

public sealed record TargetRef
{
    public const string DeploymentKind = "Deployment";
    public const string StatefulSetKind = "StatefulSet";

    public string Kind { get; init; } = DeploymentKind;
    public string Name { get; init; } = "";
}

public enum ScaleMode
{
    /// <summary>Apply decisions within the guardrails without asking.</summary>
    Auto,

    /// <summary>Every change becomes a ScaleProposal that a person approves.</summary>
    Approval,

    /// <summary>Auto while the step is within <see cref="ScalePolicySpec.AutoApproveMaxStep"/>, approval beyond.</summary>
    Hybrid,

    /// <summary>
    /// Shadow mode: decided exactly as Auto, shown (status, Events, metrics) and compared with what runs, but never
    /// written: no scale, no HPA minimum, no proposal, no card (<see cref="Decisions.ObserveMode"/>).
    /// </summary>
    Observe,
}

public enum MetricTargetType
{
    /// <summary>The query yields a total (e.g. QPS of the service); desired = ceil(value / target).</summary>
    PerReplica,

    /// <summary>The query yields a per-pod average (e.g. CPU utilisation); desired = ceil(ready × value / target).</summary>
    Average,
}

public sealed record MetricSpec
{
    /// <summary>Each metric is a PromQL query every evaluation: a bound keeps one policy from flooding Prometheus.</summary>
    public const int MaxPerPolicy = 20;

    /// <summary>Short name used in reasons and on the card (e.g. "qps").</summary>
    public string Name { get; init; } = "";

    /// <summary>A PromQL expression that yields exactly one number.</summary>
    public string Query { get; init; } = "";

    public MetricTargetType TargetType { get; init; } = MetricTargetType.PerReplica;

    /// <summary>The target value: per replica (PerReplica) or per-pod average (Average).</summary>
    public double Target { get; init; }
}

/// <summary>A step limit in pods and/or percent of the current replicas; when both are set the larger applies (as HPA's Max policy).</summary>
public sealed record StepLimit
{
    /// <summary>The highest <see cref="Percent"/>, and the highest two-person <c>aboveStepPercent</c>: 100x in one step.</summary>
    public const double MaxPercent = 10_000;

    public int? Pods { get; init; }
    public double? Percent { get; init; }
}

public sealed record ScalingBehavior
{
    public DirectionBehavior ScaleUp { get; init; } = DirectionBehavior.DefaultScaleUp;
    public DirectionBehavior ScaleDown { get; init; } = DirectionBehavior.DefaultScaleDown;

    /// <summary>
    /// Changes per 10 minutes that are not urgent (scale-downs, predicted and small scale-ups); more wait. A
    /// scale-up for a shortage beyond the noise is always allowed. Fewer changes on a noisy day against later
    /// small adjustments; 0 turns the budget off.
    /// </summary>
    public int ChangeBudget { get; init; } = 3;
}

public sealed record DirectionBehavior
{
    public static DirectionBehavior DefaultScaleUp { get; } = new()
    {
        MaxStep = new StepLimit { Pods = 4, Percent = 100 },
        PeriodSeconds = 15,
        StabilizationWindowSeconds = 0,
        CooldownSeconds = 0,
    };

    public static DirectionBehavior DefaultScaleDown { get; } = new()
    {
        MaxStep = new StepLimit { Percent = 100 },
        PeriodSeconds = 15,
        StabilizationWindowSeconds = 300,
        CooldownSeconds = 60,
    };

    /// <summary>Most the replicas may move in one <see cref="PeriodSeconds"/>; null = unlimited.</summary>
    public StepLimit? MaxStep { get; init; }

    public int PeriodSeconds { get; init; } = 15;

    /// <summary>Scale-up: min over the window; scale-down: max over the window (HPA semantics).</summary>
    public int StabilizationWindowSeconds { get; init; }

    /// <summary>No change in this direction for this long after any change.</summary>
    public int CooldownSeconds { get; init; }

    /// <summary>
    /// Tolerance for this direction (as the HPA's <c>behavior.scaleUp/scaleDown.tolerance</c>, v1.33+); null means
    /// <see cref="ScalePolicySpec.Tolerance"/>. A small scale-up tolerance with the default scale-down one keeps
    /// capacity from sitting below demand without flapping.
    /// </summary>
    public double? Tolerance { get; init; }
}

public sealed record PredictionSpec
{
    public bool Enabled { get; init; } = true;

    /// <summary>How far ahead to size for; null = the workload's observed pod start-up time.</summary>
    public int? LookAheadSeconds { get; init; }

    /// <summary>How much recent history the trend is fitted over.</summary>
    public int LookBackSeconds { get; init; } = 120;

    /// <summary>
    /// Upper bound on predicted / current value: the most a prediction adds on top of the measured value. 1.25 keeps
    /// the peak within ~1.3x the peak demand; higher buys earlier capacity on fast ramps at the risk of overshoot.
    /// At most <see cref="MaxGrowthFactorLimit"/>.
    /// </summary>
    public double MaxGrowthFactor { get; init; } = 1.25;

    /// <summary>
    /// The highest <see cref="MaxGrowthFactor"/>: a prediction of 100x the measured value within the look-ahead (an hour
    /// at most) is beyond any ramp seen; above it the factor caps nothing (1e300 passed and left the trend uncapped).
    /// </summary>
    public const double MaxGrowthFactorLimit = 100;
}

/// <summary>
/// A replica floor for a known event: either recurring (<see cref="Cron"/> + <see cref="DurationSeconds"/>, in
/// <see cref="TimeZone"/>) or one-shot (<see cref="Start"/> .. <see cref="End"/>).
/// </summary>
public sealed record ScheduleSpec
{
    /// <summary>Schedules live in the resource and are read on every evaluation: a bound keeps it small.</summary>
    public const int MaxPerPolicy = 50;

    public string Name { get; init; } = "";
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public int? DurationSeconds { get; init; }
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
    public int MinReplicas { get; init; }

    /// <summary>
    /// Days (<c>yyyy-MM-dd</c> in <see cref="TimeZone"/>) on which a cron schedule does not open: a holiday without the
    /// weekday peak, a day the event moved. A window that opened the day before and runs into one stays open.
    /// </summary>
    public IReadOnlyList<string> ExcludeDates { get; init; } = [];

    /// <summary>A year of days and more: the list is read on every evaluation in which the window would open.</summary>
    public const int MaxExcludeDates = 400;

    /// <summary>The format of <see cref="ExcludeDates"/>.</summary>
    public const string DateFormat = "yyyy-MM-dd";
}

public enum DingType
{
    InApp,
    Sms,
    Call,
}

public sealed record ApprovalSpec
{
    /// <summary>The DingTalk on-call group (openConversationId) the card is sent to.</summary>
    public string OpenConversationId { get; init; } = "";

    /// <summary>DingTalk userIds whose taps count.</summary>
    public IReadOnlyList<string> Approvers { get; init; } = [];

    public int RequiredApprovals { get; init; } = 1;

    /// <summary>Above this, two distinct approvers are needed.</summary>
    public TwoPersonRule? TwoPersonRule { get; init; }

    public int ExpirySeconds { get; init; } = 600;

    public EscalationSpec? Escalation { get; init; }

    /// <summary>Offer an "Approve half step" button.</summary>
    public bool AllowHalfStep { get; init; }

    /// <summary>
    /// After a reject or a partial approval, no new proposal for the workload for this long (default 30 minutes)
    /// unless it needs more than the refused proposal asked for.
    /// </summary>
    public int RejectBackoffSeconds { get; init; } = 1800;

    /// <summary>
    /// After a hot event, when scale-down is by approval: once the demand has fit the pre-event replicas for this long,
    /// one "return to normal" proposal back to them, on the event's card; until then the loop proposes no step-by-step
    /// scale-down. 0 turns it off (scale-downs are proposed as the demand falls). Default 15 minutes.
    /// </summary>
    public int ReturnToNormalAfterSeconds { get; init; } = 900;
}

public sealed record TwoPersonRule
{
    /// <summary>Applies when the target replicas are at least this.</summary>
    public int? AboveReplicas { get; init; }

    /// <summary>Applies when the step is at least this percent of the current replicas.</summary>
    public double? AboveStepPercent { get; init; }
}

public sealed record EscalationSpec
{
    public int AfterSeconds { get; init; } = 120;
    public DingType DingType { get; init; } = DingType.InApp;

    /// <summary>Who to DING; empty = the approvers.</summary>
    public IReadOnlyList<string> Receivers { get; init; } = [];
}

public sealed record NotificationSpec
{
    /// <summary>Post notices (automatic actions, failures, expiries, max reached, freezes) to this group.</summary>
    public string? OpenConversationId { get; init; }

    /// <summary>Or through a custom group robot webhook, by its configured name.</summary>
    public string? Webhook { get; init; }
}

public sealed record FreezeSpec
{
    public DateTimeOffset Until { get; init; }
    public string Reason { get; init; } = "";
    public string? By { get; init; }
}

public sealed record PinSpec
{
    public int Replicas { get; init; }
    public DateTimeOffset Until { get; init; }
    public string Reason { get; init; } = "";
    public string? By { get; init; }
}

public sealed record ScalePolicyStatus
{
    public DateTimeOffset? LastEvaluationTime { get; init; }
    public int? CurrentReplicas { get; init; }
    public int? DesiredReplicas { get; init; }

    /// <summary>
    /// What held <see cref="DesiredReplicas"/> at the running count (<see cref="Decisions.Decision.HeldBy"/>), or null:
    /// a tap tells "held" from "no longer needed" by it.
    /// </summary>
    public string? HeldBy { get; init; }

    /// <summary>
    /// The count the hold kept the decision from (the change budget, a cooldown, readiness; <see cref="Decisions.Decision.UnheldReplicas"/>).
    /// Rewritten when the hold or its direction changes, else with the status's refresh: within one refresh period of the count.
    /// </summary>
    public int? UnheldReplicas { get; init; }

    public string? LastReason { get; init; }
    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    /// <summary>What the leading signal learned of its conversion from its events (null: none judged yet, or no signal).</summary>
    public LeadingSignalStatus? LeadingSignal { get; init; }

    /// <summary>In mode Observe: what it would have run compared with what ran, since observation started (null in other modes).</summary>
    public ObservationStatus? Observation { get; init; }
}

/// <summary>A Kubernetes-style condition (e.g. MetricUnavailable, Frozen, TargetManagedByHpa).</summary>
public sealed record Condition
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "True";
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
}
