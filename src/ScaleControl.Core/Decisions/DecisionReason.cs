using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The facts behind a decision, kept as values so <see cref="DecisionEngine.Decide"/> builds no text and no evidence
/// objects: the reason line and the <see cref="DecisionEvidence"/> are made from these only when a decision is shown
/// or recorded (a proposal, a status write, a log line, <c>/status</c>). One fact per rule the engine applies, in the
/// order it applies them; <see cref="Format"/> writes them in that order. Kept small (rules as bits, rare facts out of
/// line): a decision is copied on its way from the engine to the loop's bookkeeping.
/// </summary>
internal struct DecisionReason
{
    public int Current;
    public int Ready;
    public string? BoundBy;

    /// <summary>The metrics as assessed: the first inline (the common single-metric policy allocates nothing), the rest in an array.</summary>
    public int MetricCount;
    public MetricFacts First;
    public MetricFacts[]? More;

    /// <summary>A follower's sizing (its evidence row comes last); out of line, as only a follower has it.</summary>
    public FollowFacts? Followed;

    /// <summary>A freeze or pin in force: the decision is fixed and the reason says by whom and until when.</summary>
    public FreezeSpec? Freeze;
    public PinSpec? Pin;

    public string? FailStaticProblems;
    public int StabilizedAt;
    public int StabilizationWindow;
    public int BudgetSpent;
    public StepLimit? StepCap;
    public int StepCapTo;

    /// <summary>The count the step limit cut down (what the demand asked for before it).</summary>
    public int StepCapFrom;
    public int Bound;
    public double CooldownLeftSeconds;
    public int StartingPods;

    /// <summary>The count the change budget, a cooldown or the readiness hold kept the decision from (see <see cref="Decision.UnheldReplicas"/>).</summary>
    public int Unheld;

    /// <summary>The floors that raised the count (schedules, events, the leading signal); out of line, as they are rare.</summary>
    public FloorFacts? Floors;

    /// <summary>The owning HPA whose own minReplicas kept a scale-down from going below it (<see cref="HpaInfo.OwnMinReplicas"/>).</summary>
    public HpaInfo? HpaFloor;

    /// <summary>The yes/no facts, one bit each.</summary>
    private Rules _applied;

    public bool StillRising { readonly get => Has(Rules.StillRising); set => Set(Rules.StillRising, value); }

    public bool Stabilized { readonly get => Has(Rules.Stabilized); set => Set(Rules.Stabilized, value); }

    public bool BudgetHeld { readonly get => Has(Rules.BudgetHeld); set => Set(Rules.BudgetHeld, value); }

    public bool StepCapped { readonly get => Has(Rules.StepCapped); set => Set(Rules.StepCapped, value); }

    public bool StepCapDown { readonly get => Has(Rules.StepCapDown); set => Set(Rules.StepCapDown, value); }

    public bool CappedAtMax { readonly get => Has(Rules.CappedAtMax); set => Set(Rules.CappedAtMax, value); }

    public bool RaisedToMin { readonly get => Has(Rules.RaisedToMin); set => Set(Rules.RaisedToMin, value); }

    public bool CoolingDown { readonly get => Has(Rules.CoolingDown); set => Set(Rules.CoolingDown, value); }

    public bool WaitingForReadiness { readonly get => Has(Rules.WaitingForReadiness); set => Set(Rules.WaitingForReadiness, value); }

    public bool StayAt { readonly get => Has(Rules.StayAt); set => Set(Rules.StayAt, value); }

    /// <summary>Held above the owning HPA's floor, which ScaleControl cannot lower further: the HPA alone keeps the count.</summary>
    public bool HpaDecides { readonly get => Has(Rules.HpaDecides); set => Set(Rules.HpaDecides, value); }

    private readonly bool Has(Rules rule) => (_applied & rule) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // Decide is too large for the JIT to inline it by itself
    private void Set(Rules rule, bool on) => _applied = on ? _applied | rule : _applied & ~rule;

    /// <summary>Keeps the assessments past the engine's reused buffer.</summary>
    public void KeepMetrics(ReadOnlySpan<MetricAssessment> assessments)
    {
        MetricCount = assessments.Length;
        if (assessments.Length > 0)
        {
            First = new MetricFacts(in assessments[0]);
        }

        if (assessments.Length > 1)
        {
            More = new MetricFacts[assessments.Length - 1];
            for (var i = 1; i < assessments.Length; i++)
            {
                More[i - 1] = new MetricFacts(in assessments[i]);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public readonly ref readonly MetricFacts MetricAt(int index) => ref index == 0 ? ref First : ref More![index - 1];

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
        if (Followed is { } followed)
        {
            reason.Append(FollowSizing.Describe(followed.Follow, followed.Leader, followed.Row.Recommendation, followed.Row.Problem, followed.Namespace));
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

        if (Floors?.ScheduleName is { } schedule)
        {
            reason.Append("; schedule ").Append(schedule).Append(" floor -> ").Append(Floors.ScheduleFloor);
        }

        if (Floors?.EventReason is { } expected)
        {
            reason.Append("; ").Append(expected);
        }

        if (Floors?.SignalReason is { } signal)
        {
            reason.Append("; ").Append(signal);
        }

        if (HpaFloor is { } hpa)
        {
            AppendHpaFloor(reason, hpa);
        }

        if (StayAt)
        {
            reason.Append(", stay at ").Append(Current);
        }

        return reason.ToString();
    }

    private readonly void AppendHpaFloor(StringBuilder reason, HpaInfo hpa)
    {
        if (HpaDecides)
        {
            // Above a floor ScaleControl cannot lower further: the HPA's own metrics keep the count.
            var inForce = hpa.MinReplicas ?? 1;
            reason.Append("; held at ").Append(Current).Append(" by HPA ").Append(hpa.Name).Append(inForce <= hpa.OwnMinReplicas
                ? $" (its own minReplicas {hpa.OwnMinReplicas} is restored; the HPA decides below that)"
                : $" (ScaleControl's floor on it is {inForce}; the HPA decides above that)");
            return;
        }

        // Held where it runs (at or below the HPA's floor), or limited to the floor on the way down.
        reason.Append(hpa.OwnMinReplicas >= Current ? "; held at " : "; not below ").Append(Math.Min(hpa.OwnMinReplicas, Current))
            .Append(": HPA ").Append(hpa.Name).Append(" owns the workload and its own minReplicas is ").Append(hpa.OwnMinReplicas);
    }

    /// <summary>What the decision was based on, for the proposal's audit record and the card.</summary>
    public readonly DecisionEvidence Evidence()
    {
        var metrics = new MetricEvidence[RowCount];
        for (var i = 0; i < MetricCount; i++)
        {
            ref readonly var a = ref MetricAt(i);
            metrics[i] = new MetricEvidence
            {
                Name = a.Spec.Name,
                Value = a.Value,
                Predicted = a.Predicted,
                SlopePerSecond = a.IsHealthy && a.Samples > 0 ? a.SlopePerSecond : null,
                Target = a.Spec.Target,
                Recommendation = a.Predictive ?? a.Reactive,
                Problem = a.Problem,
            };
        }

        if (Followed is { } followed)
        {
            metrics[^1] = followed.Row;
        }

        return new DecisionEvidence { Metrics = metrics, CurrentReplicas = Current, ReadyReplicas = Ready, BoundBy = BoundBy };
    }

    private static void DescribeMetric(StringBuilder reason, in MetricFacts a)
    {
        reason.Append(a.Spec.Name).Append(' ');
        if (!a.IsHealthy)
        {
            reason.Append(a.Problem);
            return;
        }

        Quantity.Append(reason, a.Value!.Value);
        if (a.Samples > 0 && a.SlopePerSecond != 0 && Math.Abs(a.SlopePerSecond) * 60 >= Math.Abs(a.Value.Value) * 0.01)
        {
            Quantity.Append(reason.Append(a.SlopePerSecond > 0 ? ", rising " : ", falling "), Math.Abs(a.SlopePerSecond)).Append("/s");
        }

        if (a.Predictive is not null && a.Predicted is { } predicted)
        {
            Quantity.Append(reason.Append("; predicted "), predicted).Append(" in ").Append(Math.Ceiling(a.Horizon.TotalSeconds)).Append('s');
            if (a.Note is { } capped)
            {
                reason.Append(" (").Append(capped).Append(')');
            }
        }
        else if (a.Note is { } note && a.Samples >= TrendPredictor.MinSamples && a.SlopePerSecond > 0)
        {
            reason.Append(" (").Append(note).Append(", no prediction)");
        }

        Quantity.Append(reason.Append("; "), a.Spec.Target)
            .Append(a.Spec.TargetType == MetricTargetType.Average ? "/pod avg -> " : "/pod -> ");
        if (a.Predictive is null && a.HeadroomUsed > 0)
        {
            // The count is above value / target: say by how much, so the line adds up ("-> 12, +20% headroom -> 14").
            reason.Append(Pods(a.Need)).Append(", +").Append(Percent(a.HeadroomUsed)).Append(" headroom -> ");
        }
        else if (a.Predictive is null && a.UpTolerance > 0)
        {
            // Below the need but within the tolerance band: the count stands, and the line says why.
            reason.Append(Quantity.Format(a.Need)).Append(", within the ").Append(Percent(a.UpTolerance)).Append(" tolerance of ");
        }

        reason.Append(a.Predictive ?? a.Reactive ?? 0);
    }

    /// <summary>Whole pods for a need, as the engine rounds it (a hair above an integer is that integer).</summary>
    private static int Pods(double need) => (int)Math.Ceiling(need - 1e-9);

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Step(StepLimit? step) => step switch
    {
        { Pods: { } pods, Percent: { } percent } => $"max({pods} pods, {percent.ToString("0.#", CultureInfo.InvariantCulture)}%)",
        { Pods: { } pods } => $"{pods} pods",
        { Percent: { } percent } => $"{percent.ToString("0.#", CultureInfo.InvariantCulture)}%",
        _ => "none",
    };

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// What a decision keeps of one <see cref="MetricAssessment"/>: the parts its reason line, evidence and views read
/// (not the trend's statistics, which only the engine's rules use).
/// </summary>
internal readonly struct MetricFacts(in MetricAssessment a)
{
    public MetricSpec Spec { get; } = a.Spec;
    public double? Value { get; } = a.Value;
    public string? Problem { get; } = a.Problem;
    public double SlopePerSecond { get; } = a.Trend.SlopePerSecond;
    public int Samples { get; } = a.Trend.Samples;
    public double? Predicted { get; } = a.Trend.Predicted;
    public string? Note { get; } = a.Trend.Note;
    public TimeSpan Horizon { get; } = a.Horizon;
    public int? Reactive { get; } = a.Reactive;
    public int? Predictive { get; } = a.Predictive;
    public double Need { get; } = a.Need;
    public double HeadroomUsed { get; } = a.HeadroomUsed;
    public double UpTolerance { get; } = a.UpTolerance;

    public bool IsHealthy => Problem is null;
}

/// <summary>A follower's sizing: the leader as read, what it asks for (<paramref name="Row"/>, its evidence row) and the policy's namespace.</summary>
internal sealed record FollowFacts(MetricEvidence Row, FollowSpec Follow, LeaderReading? Leader, string Namespace);

/// <summary>The floors that raised a decision: a schedule's (name and floor), an expected event's and the leading signal's reasons.</summary>
/// <param name="SignalJudged">A leading-signal event judged by its traffic and not yet learned from (<see cref="Decision.SignalJudged"/>).</param>
internal sealed record FloorFacts(string? ScheduleName, int ScheduleFloor, string? EventReason, string? SignalReason, SignalEventJudged? SignalJudged = null);

/// <summary>The yes/no facts of a <see cref="DecisionReason"/>.</summary>
[Flags]
internal enum Rules : ushort
{
    None = 0,
    StillRising = 1 << 0,
    Stabilized = 1 << 1,
    BudgetHeld = 1 << 2,
    StepCapped = 1 << 3,
    StepCapDown = 1 << 4,
    CappedAtMax = 1 << 5,
    RaisedToMin = 1 << 6,
    CoolingDown = 1 << 7,
    WaitingForReadiness = 1 << 8,
    StayAt = 1 << 9,
    HpaDecides = 1 << 10,
}
