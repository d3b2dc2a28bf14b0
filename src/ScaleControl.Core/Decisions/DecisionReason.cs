using System.Globalization;
using System.Text;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The facts behind a decision, kept as values so <see cref="DecisionEngine.Decide"/> builds no text and no evidence
/// objects: the reason line and the <see cref="DecisionEvidence"/> are made from these only when a decision is shown
/// or recorded (a proposal, a status write, a log line, <c>/status</c>). One field per rule the engine applies, in the
/// order it applies them; <see cref="Format"/> writes them in that order.
/// </summary>
internal struct DecisionReason
{
    public int Current;
    public int Ready;
    public string? BoundBy;

    /// <summary>The metrics as assessed: the first inline (the common single-metric policy allocates nothing), the rest in an array.</summary>
    public int MetricCount;
    public MetricAssessment First;
    public MetricAssessment[]? More;

    /// <summary>A follower's sizing: the leader as read and what it asks for (its evidence row comes last).</summary>
    public MetricEvidence? Followed;
    public FollowSpec? Follow;
    public LeaderReading? Leader;
    public string? Namespace;

    /// <summary>A freeze or pin in force: the decision is fixed and the reason says by whom and until when.</summary>
    public FreezeSpec? Freeze;
    public PinSpec? Pin;

    public bool StillRising;
    public string? FailStaticProblems;
    public bool Stabilized;
    public int StabilizedAt;
    public int StabilizationWindow;
    public bool BudgetHeld;
    public int BudgetSpent;
    public bool StepCapped;
    public bool StepCapDown;
    public StepLimit? StepCap;
    public int StepCapTo;
    public bool CappedAtMax;
    public bool RaisedToMin;
    public int Bound;
    public bool CoolingDown;
    public double CooldownLeftSeconds;
    public bool WaitingForReadiness;
    public int StartingPods;
    public string? ScheduleName;
    public int ScheduleFloor;
    public string? EventFloorReason;
    public string? SignalFloorReason;
    public bool StayAt;

    /// <summary>Keeps the assessments past the engine's reused buffer.</summary>
    public void KeepMetrics(ReadOnlySpan<MetricAssessment> assessments)
    {
        MetricCount = assessments.Length;
        if (assessments.Length > 0)
        {
            First = assessments[0];
        }

        if (assessments.Length > 1)
        {
            More = assessments[1..].ToArray();
        }
    }

    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public readonly ref readonly MetricAssessment MetricAt(int index) => ref index == 0 ? ref First : ref More![index - 1];

    /// <summary>The metrics, plus the follower's row when there is one.</summary>
    public readonly int RowCount => MetricCount + (Followed is null ? 0 : 1);

    /// <summary>The reason line, e.g. "qps 48.2k, rising 1.9k/s; predicted 61k in 45s; 500/pod -> 122, capped by max step 100% -> 40".</summary>
    public readonly string Format()
    {
        if (Freeze is { } freeze)
        {
            var by = freeze.By is { Length: > 0 } ? $" by {freeze.By}" : "";
            return $"frozen{by} until {Time(freeze.Until)}: {freeze.Reason}; no changes";
        }

        if (Pin is { } pin)
        {
            var by = pin.By is { Length: > 0 } ? $" by {pin.By}" : "";
            return $"pinned at {pin.Replicas}{by} until {Time(pin.Until)}: {pin.Reason}";
        }

        var reason = new StringBuilder(256);
        if (Follow is { } follow && Followed is { } followed)
        {
            reason.Append(FollowSizing.Describe(follow, Leader, followed.Recommendation, followed.Problem, Namespace ?? ""));
        }

        for (var i = 0; i < MetricCount; i++)
        {
            if (i > 0)
            {
                reason.Append("; ");
            }

            DescribeMetric(reason, MetricAt(i));
        }

        if (StillRising)
        {
            reason.Append("; still rising, not scaling down");
        }

        if (FailStaticProblems is not null)
        {
            reason.Append("; fail-static: not scaling down while ").Append(FailStaticProblems);
        }

        if (Stabilized)
        {
            reason.Append(", held at ").Append(StabilizedAt).Append(" by stabilization (").Append(StabilizationWindow).Append("s window)");
        }

        if (BudgetHeld)
        {
            reason.Append("; change budget spent (").Append(BudgetSpent).Append(" changes in 10 min), staying at ").Append(Current);
        }

        if (StepCapped)
        {
            reason.Append(StepCapDown ? ", limited by max step down " : ", capped by max step ").Append(Step(StepCap)).Append(" -> ").Append(StepCapTo);
        }

        if (CappedAtMax)
        {
            reason.Append(", capped by maxReplicas ").Append(Bound);
        }
        else if (RaisedToMin)
        {
            reason.Append(", raised to minReplicas ").Append(Bound);
        }

        if (CoolingDown)
        {
            reason.Append("; cooling down after the last change (").Append(CooldownLeftSeconds.ToString(CultureInfo.InvariantCulture)).Append("s left), staying at ").Append(Current);
        }
        else if (WaitingForReadiness)
        {
            reason.Append("; waiting for ").Append(StartingPods).Append(" starting pod(s) before scaling down, staying at ").Append(Current);
        }

        if (ScheduleName is not null)
        {
            reason.Append("; schedule ").Append(ScheduleName).Append(" floor -> ").Append(ScheduleFloor);
        }

        if (EventFloorReason is not null)
        {
            reason.Append("; ").Append(EventFloorReason);
        }

        if (SignalFloorReason is not null)
        {
            reason.Append("; ").Append(SignalFloorReason);
        }

        if (StayAt)
        {
            reason.Append(", stay at ").Append(Current);
        }

        return reason.ToString();
    }

    /// <summary>What the decision was based on, for the proposal's audit record and the card.</summary>
    public readonly DecisionEvidence Evidence()
    {
        var metrics = new MetricEvidence[RowCount];
        for (var i = 0; i < MetricCount; i++)
        {
            var a = MetricAt(i);
            metrics[i] = new MetricEvidence
            {
                Name = a.Spec.Name,
                Value = a.Value,
                Predicted = a.Trend.Predicted,
                SlopePerSecond = a.IsHealthy && a.Trend.Samples > 0 ? a.Trend.SlopePerSecond : null,
                Target = a.Spec.Target,
                Recommendation = a.Predictive ?? a.Reactive,
                Problem = a.Problem,
            };
        }

        if (Followed is { } followed)
        {
            metrics[^1] = followed;
        }

        return new DecisionEvidence { Metrics = metrics, CurrentReplicas = Current, ReadyReplicas = Ready, BoundBy = BoundBy };
    }

    private static void DescribeMetric(StringBuilder reason, in MetricAssessment a)
    {
        reason.Append(a.Spec.Name).Append(' ');
        if (!a.IsHealthy)
        {
            reason.Append(a.Problem);
            return;
        }

        Quantity.Append(reason, a.Value!.Value);
        if (a.Trend.Samples > 0 && a.Trend.SlopePerSecond != 0 && Math.Abs(a.Trend.SlopePerSecond) * 60 >= Math.Abs(a.Value.Value) * 0.01)
        {
            Quantity.Append(reason.Append(a.Trend.SlopePerSecond > 0 ? ", rising " : ", falling "), Math.Abs(a.Trend.SlopePerSecond)).Append("/s");
        }

        if (a.Predictive is not null && a.Trend.Predicted is { } predicted)
        {
            Quantity.Append(reason.Append("; predicted "), predicted).Append(" in ").Append(Math.Ceiling(a.Horizon.TotalSeconds)).Append('s');
            if (a.Trend.Note is { } capped)
            {
                reason.Append(" (").Append(capped).Append(')');
            }
        }
        else if (a.Trend.Note is { } note && a.Trend.Samples >= TrendPredictor.MinSamples && a.Trend.SlopePerSecond > 0)
        {
            reason.Append(" (").Append(note).Append(", no prediction)");
        }

        Quantity.Append(reason.Append("; "), a.Spec.Target)
            .Append(a.Spec.TargetType == MetricTargetType.Average ? "/pod avg -> " : "/pod -> ")
            .Append(a.Predictive ?? a.Reactive ?? 0);
    }

    private static string Step(StepLimit? step) => step switch
    {
        { Pods: { } pods, Percent: { } percent } => $"max({pods} pods, {percent.ToString("0.#", CultureInfo.InvariantCulture)}%)",
        { Pods: { } pods } => $"{pods} pods",
        { Percent: { } percent } => $"{percent.ToString("0.#", CultureInfo.InvariantCulture)}%",
        _ => "none",
    };

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
