using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Simulation;

/// <summary>
/// ScaleControl's engine under replay, wired the way the control loop uses it: decide, record, apply ApplyNow
/// (and, for replay, Propose as if approved at once), record the change. Its metric arrives
/// <paramref name="minDelaySeconds"/>..<paramref name="maxDelaySeconds"/> late (scrape plus query), varying per
/// tick from a fixed seed so runs are repeatable.
/// </summary>
public sealed class EngineController(
    ScalePolicy policy,
    double startupSeconds,
    double minDelaySeconds = 5,
    double maxDelaySeconds = 15,
    int seed = 7) : IReplayController
{
    private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DecisionEngine _engine = new();
    private readonly PolicyHistory _history = new();
    private readonly Random _random = new(seed);
    private readonly WorkloadRef _target = new(policy.Metadata.Namespace, policy.Spec.Target.Kind, policy.Spec.Target.Name);

    public string Name => "ScaleControl";

    public int IntervalSeconds => policy.Spec.EvaluationIntervalSeconds;

    public Decision? LastDecision { get; private set; }

    public double MetricDelaySeconds(double now) => minDelaySeconds + (_random.NextDouble() * (maxDelaySeconds - minDelaySeconds));

    public int Decide(double now, ObservedMetric metric, int specReplicas, int readyReplicas)
    {
        var at = s_epoch.AddSeconds(now);
        var query = policy.Spec.Metrics[0].Query;
        var readings = new Dictionary<string, MetricReading>(1) { [query] = MetricReading.Ok(query, metric.Value, s_epoch.AddSeconds(metric.SampleSeconds)) };
        var workload = new WorkloadState(_target, specReplicas, readyReplicas, "1", null, TimeSpan.FromSeconds(startupSeconds), null);
        var input = new DecisionInput(policy, readings, workload, _history, at);

        var decision = _engine.Decide(input);
        _history.RecordEvaluation(input, decision);
        LastDecision = decision;
        if (decision.Outcome is DecisionOutcome.ApplyNow or DecisionOutcome.Propose && decision.DesiredReplicas != specReplicas)
        {
            _history.RecordChange(at, specReplicas, decision.DesiredReplicas);
            return decision.DesiredReplicas;
        }

        return specReplicas;
    }
}
