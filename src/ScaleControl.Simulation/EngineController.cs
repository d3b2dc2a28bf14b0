using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Simulation;

/// <summary>
/// ScaleControl's engine under replay, wired the way the control loop uses it: read the metric, decide, record,
/// apply ApplyNow (and Propose as if approved at once), record the change (or let the caller apply and record it:
/// <see cref="AppliesItsDecisions"/>). Each metric of the policy reads the
/// replay's one metric pipeline; <c>scalectl whatif</c> drives the same class with recorded readings.
/// </summary>
public sealed class EngineController(ScalePolicy policy, double startupSeconds, DecisionEngine? engine = null) : IReplayController
{
    private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DecisionEngine _engine = engine ?? new DecisionEngine();
    private readonly PolicyHistory _history = new();
    private readonly WorkloadRef _target = new(policy.Metadata.Namespace, policy.Spec.Target.Kind, policy.Spec.Target.Name);
    private readonly Dictionary<string, MetricReading> _readings = new(StringComparer.Ordinal);

    /// <summary>The policy with its status as the loop would keep it: what the leading signal learned carries to the next event.</summary>
    public ScalePolicy Policy { get; private set; } = policy;

    public string Name { get; init; } = "ScaleControl";

    public int IntervalSeconds => Policy.Spec.EvaluationIntervalSeconds;

    public Decision? LastDecision { get; private set; }

    /// <summary>
    /// True (the replay): a decision to change is applied at once and recorded as the workload's change. False
    /// (<c>scalectl whatif</c>, which models the approvers' delay and a Hybrid policy's split): the caller says what was
    /// applied and when with <see cref="Applied"/>, so the cooldown and step rules see only changes that happened.
    /// </summary>
    public bool AppliesItsDecisions { get; init; } = true;

    /// <summary>
    /// Whether what the leading signal's events teach is kept in the policy's status, as the loop keeps it (default); off,
    /// every event starts from the configured requestsPerUnit (the benchmark's "before learning").
    /// </summary>
    public bool LearnsConversion { get; init; } = true;

    /// <summary>The HPA that owns the workload (<c>scalectl whatif</c>): the engine never asks below its own minimum, as in the loop.</summary>
    public HpaInfo? Hpa { get; init; }

    public int Decide(in ReplayTick tick)
    {
        foreach (var metric in Policy.Spec.Metrics)
        {
            _readings[metric.Query] = MetricReading.Ok(metric.Query, tick.Metric.Value, s_epoch.AddSeconds(tick.Metric.SampleSeconds));
        }

        // A leading signal reads the trace's series of the same name, scraped on the same grid as the metric (only
        // where the trace has one, so other traces draw the same query latencies as without a signal).
        if (Policy.Spec.LeadingSignal is { } signal && tick.Pipeline.Trace.SeriesNames.Contains(signal.Name)
            && tick.Pipeline.ObserveSeries(signal.Name, tick.Now) is { } value)
        {
            _readings[signal.Query] = MetricReading.Ok(signal.Query, value, s_epoch.AddSeconds(tick.Metric.SampleSeconds));
        }

        return Decide(s_epoch.AddSeconds(tick.Now), _readings, tick.SpecReplicas, tick.ReadyReplicas);
    }

    /// <summary>One evaluation at <paramref name="now"/> with the given readings; returns the replicas to set.</summary>
    public int Decide(DateTimeOffset now, IReadOnlyDictionary<string, MetricReading> readings, int specReplicas, int readyReplicas)
    {
        var workload = new WorkloadState(_target, specReplicas, readyReplicas, "1", null, TimeSpan.FromSeconds(startupSeconds), Hpa);
        var input = new DecisionInput(Policy, readings, workload, _history, now);
        _history.RecordWatchStart(input);

        var decision = _engine.Decide(input);
        _history.RecordEvaluation(input, decision);
        LastDecision = decision;
        if (decision.SignalJudged is { } judged && LearnsConversion)
        {
            // As the loop writes it to the policy's status: the next event starts from it.
            Policy = Policy with { Status = (Policy.Status ?? new ScalePolicyStatus()) with { LeadingSignal = LeadingSignalLearning.Next(Policy, judged) } };
        }

        if (decision.Outcome is DecisionOutcome.ApplyNow or DecisionOutcome.Propose && decision.DesiredReplicas != specReplicas)
        {
            if (AppliesItsDecisions)
            {
                Applied(now, specReplicas, decision.DesiredReplicas);
            }

            return decision.DesiredReplicas;
        }

        return specReplicas;
    }

    /// <summary>A change of the workload's replicas at <paramref name="now"/>, as the control loop records one it applied.</summary>
    public void Applied(DateTimeOffset now, int from, int to) => _history.RecordChange(now, from, to);
}
