using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

public enum ScaleDirection
{
    None,
    Up,
    Down,
}

public enum DecisionOutcome
{
    /// <summary>Nothing to do (within tolerance, or already at the desired count).</summary>
    None,

    /// <summary>Apply without asking (Auto, or Hybrid within the auto step, or an automatic scale-down).</summary>
    ApplyNow,

    /// <summary>Create a ScaleProposal and ask the approvers.</summary>
    Propose,

    /// <summary>Deliberately hold (fail-static on missing metrics, frozen, cooldown); the reason says why.</summary>
    Hold,
}

/// <summary>Everything the pure decision engine needs; nothing in here does I/O. <paramref name="Leader"/>: the followed workload of a <c>follow</c> policy.</summary>
public sealed record DecisionInput(
    ScalePolicy Policy,
    IReadOnlyDictionary<string, MetricReading> Readings,
    WorkloadState Workload,
    PolicyHistory History,
    DateTimeOffset Now,
    LeaderReading? Leader = null)
{
    /// <summary>
    /// The first metric's reading in <see cref="Readings"/> when the caller already looked it up (the control loop
    /// does, for every policy every tick), so the engine and the recorder do not hash its query again.
    /// </summary>
    public MetricReading? FirstReading { get; init; }
}

/// <summary>
/// The engine's answer for one policy at one moment. A value, not an object: the engine runs for every policy every
/// few seconds, and a decision it makes allocates nothing for a single-metric policy. The <see cref="Reason"/> text and
/// the <see cref="Evidence"/> are made from the facts the engine kept when someone reads them (a proposal, a status
/// write, a log line, <c>/status</c>); each read builds them anew, so read once and keep the result.
/// </summary>
public readonly record struct Decision
{
    private readonly string? _reason;
    private readonly DecisionEvidence? _evidence;
    private readonly int? _needed;

    /// <summary>What the engine found, formatted only on demand (read through the field: a copy would move all the facts).</summary>
    private readonly DecisionReason _facts;

    /// <summary>
    /// The engine's decision, made in one piece (no initializer) so the facts are copied once, straight into the
    /// decision the engine returns.
    /// </summary>
    [SetsRequiredMembers]
    internal Decision(
        int current,
        int desired,
        ScaleDirection direction,
        DecisionOutcome outcome,
        in DecisionReason facts,
        int? raw = null,
        int? predicted = null,
        int? signalFloor = null,
        int? alternative = null,
        bool twoPersons = false)
    {
        CurrentReplicas = current;
        DesiredReplicas = desired;
        Direction = direction;
        Outcome = outcome;
        _facts = facts;
        RawRecommendation = raw;
        PredictedRecommendation = predicted;
        SignalFloor = signalFloor;
        AlternativeReplicas = alternative;
        RequiresTwoPersons = twoPersons;
    }

    public required int CurrentReplicas { get; init; }
    public required int DesiredReplicas { get; init; }
    public ScaleDirection Direction { get; init; }
    public DecisionOutcome Outcome { get; init; }

    /// <summary>One readable line, e.g. "QPS 48.2k, rising 1.9k/s; predicted 61k in 45 s; 500/pod → 122, capped by max step 100% → 40".</summary>
    public string Reason
    {
        get => _reason ?? _facts.Format();
        init => _reason = value;
    }

    public DecisionEvidence Evidence
    {
        get => _evidence ?? _facts.Evidence();
        init => _evidence = value;
    }

    /// <summary>How many metrics the engine assessed (read with <see cref="MetricAt"/> without building <see cref="Evidence"/>).</summary>
    [JsonIgnore]
    public int MetricCount => _evidence?.Metrics.Count ?? _facts.RowCount;

    /// <summary>One assessed metric: its name, value, prediction and problem.</summary>
    public MetricView MetricAt(int index)
    {
        if (_evidence is { } evidence)
        {
            var m = evidence.Metrics[index];
            return new MetricView(m.Name, m.Value, m.Predicted, m.Problem);
        }

        if (index == _facts.MetricCount && _facts.Followed?.Row is { } followed)
        {
            return new MetricView(followed.Name, followed.Value, followed.Predicted, followed.Problem);
        }

        ref readonly var a = ref _facts.MetricAt(index);
        return new MetricView(a.Spec.Name, a.Value, a.Predicted, a.Problem);
    }

    /// <summary>
    /// The unclamped recommendation from the measured values (before prediction, step limits, stabilization,
    /// schedules), kept in history for stabilization; null when no metric was usable.
    /// </summary>
    public int? RawRecommendation { get; init; }

    /// <summary>
    /// What the predicted trend asked for, when it asked for more than the measured values. Prediction only raises
    /// the target; it is not recorded for stabilization, so a prediction that does not come true is not held.
    /// </summary>
    public int? PredictedRecommendation { get; init; }

    /// <summary>
    /// What the leading signal asked for at this moment (before the hold), when it asked; recorded in the history so
    /// the floor holds for the signal's leadSeconds + holdSeconds.
    /// </summary>
    public int? SignalFloor { get; init; }

    /// <summary>
    /// A leading-signal event whose traffic came and levelled, judged against its floor, that the policy's
    /// <c>status.leadingSignal</c> has not learned from yet: the host keeps it with <see cref="LeadingSignalLearning.Next"/>.
    /// </summary>
    public SignalEventJudged? SignalJudged => _facts.Floors?.SignalJudged;

    /// <summary>
    /// What the demand asks for before the scale-up step limit cut it (the desired count when no step limit did; not
    /// bounded by maxReplicas). A refused proposal holds until more than it was sized for is needed: the step limit
    /// caps every new ask at the same count, so the hold must judge the need, not the step.
    /// </summary>
    public int NeededReplicas
    {
        get => _needed ?? (_facts.StepCapped && !_facts.StepCapDown ? Math.Max(DesiredReplicas, _facts.StepCapFrom) : DesiredReplicas);
        init => _needed = value;
    }

    /// <summary>
    /// What held the decision at the running count for now: <see cref="HeldByFailStatic"/> (a metric missing or stale),
    /// <c>changeBudget</c>, <c>cooldown</c>, <c>readiness</c> or <c>freeze</c>; null when it was not held. A held
    /// "no change" is "cannot tell" or "not allowed to move now", not "nothing is needed" (the tap and the loop's
    /// withdrawal tell them apart). An owning HPA's minimum is no hold but a bound ScaleControl never goes below, so it
    /// reads as the "no change" it is.
    /// </summary>
    public string? HeldBy => Outcome == DecisionOutcome.Hold && _facts.BoundBy is { } by && by != "hpaMinReplicas" ? by : null;

    /// <summary>
    /// The count the change budget, a cooldown or the readiness hold kept the decision from; null when it was not held
    /// by one of them (fail static and a freeze hold back no recommendation: there is no usable measurement, or a
    /// person stopped the policy).
    /// </summary>
    public int? UnheldReplicas => HeldBy is not null && (_facts.BudgetHeld || _facts.CoolingDown || _facts.WaitingForReadiness) ? _facts.Unheld : null;

    /// <summary>The <see cref="HeldBy"/> of a decision held for missing or stale metrics.</summary>
    public const string HeldByFailStatic = "failStatic";

    /// <summary>For approval: an alternative the approver may choose (e.g. half the step), when the policy allows it.</summary>
    public int? AlternativeReplicas { get; init; }

    /// <summary>For approval: whether the two-person rule applies to this step.</summary>
    public bool RequiresTwoPersons { get; init; }
}

/// <summary>One metric of a <see cref="Decision"/> as the loop's bookkeeping reads it.</summary>
public readonly record struct MetricView(string Name, double? Value, double? Predicted, string? Problem);
