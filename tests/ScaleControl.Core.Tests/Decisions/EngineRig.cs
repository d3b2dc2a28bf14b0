using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Drives the engine the way the control loop does: read, decide, record, (apply), advance the fake clock.</summary>
internal sealed class EngineRig(ScalePolicy policy)
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private readonly DecisionEngine _engine = new();

    public FakeTimeProvider Clock { get; } = new(T0);
    public PolicyHistory History { get; } = new();
    public ScalePolicy Policy { get; set; } = policy;
    public int Spec { get; set; } = 10;
    public int Ready { get; set; } = 10;
    public TimeSpan? StartupTime { get; set; }

    /// <summary>An HPA that owns the workload, or null.</summary>
    public HpaInfo? Hpa { get; set; }

    /// <summary>Whether each decision first records the watch start, as the control loop does (off: the engine on a bare history).</summary>
    public bool RecordsWatchStart { get; init; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static ScalePolicy Unlimited(ScalePolicy policy) => TestPolicies.WithSpec(policy, s => s with
    {
        Behavior = new ScalingBehavior
        {
            ScaleUp = new DirectionBehavior { PeriodSeconds = 15 },
            ScaleDown = new DirectionBehavior { PeriodSeconds = 15 },
        },
        Prediction = s.Prediction with { Enabled = false },
    });

    public DecisionInput Input(IReadOnlyDictionary<string, MetricReading> readings) =>
        new(Policy, readings, new WorkloadState(new WorkloadRef("shop", "Deployment", "checkout-api"), Spec, Ready, "1", null, StartupTime, Hpa), History, Now);

    /// <summary>Decides on one reading per metric (values in metric order, sampled now) and records it.</summary>
    public Decision Decide(params double[] values)
    {
        var readings = new Dictionary<string, MetricReading>();
        for (var i = 0; i < values.Length; i++)
        {
            var q = Policy.Spec.Metrics[i].Query;
            readings[q] = MetricReading.Ok(q, values[i], Now);
        }

        return Decide(readings);
    }

    public Decision Decide(IReadOnlyDictionary<string, MetricReading> readings)
    {
        var input = Input(readings);
        if (RecordsWatchStart)
        {
            History.RecordWatchStart(input);
        }

        var decision = _engine.Decide(input);
        History.RecordEvaluation(input, decision);
        return decision;
    }

    /// <summary>Feeds one value per evaluation interval (5 s), deciding and recording each; returns the last decision.</summary>
    public Decision Feed(IEnumerable<double> values)
    {
        Decision? last = null;
        foreach (var v in values)
        {
            Clock.Advance(TimeSpan.FromSeconds(5));
            last = Decide(v);
        }

        return last!.Value;
    }

    public void Apply(Decision decision, bool ready = true)
    {
        History.RecordChange(Now, Spec, decision.DesiredReplicas);
        Spec = decision.DesiredReplicas;
        if (ready)
        {
            Ready = Spec;
        }
    }

    public void Advance(double seconds) => Clock.Advance(TimeSpan.FromSeconds(seconds));
}
