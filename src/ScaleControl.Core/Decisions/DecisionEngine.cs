using System.Globalization;
using System.Text;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The brain: a pure, deterministic function of (policy, readings, workload, history, now) → <see cref="Decision"/>.
/// No I/O, no clock, no randomness; the same input always gives the same decision. The steps, in order:
/// freeze → pin → per-metric sizing (HPA formula + tolerance, trend prediction for scale-up only, fail-static on
/// bad metrics) → stabilization → step limits → min/max → readiness and cooldown holds → schedule floors → mode.
/// </summary>
public sealed class DecisionEngine(DecisionEngineOptions? options = null)
{
    [ThreadStatic]
    private static StringBuilder? t_reason;

    private readonly DecisionEngineOptions _options = options ?? new DecisionEngineOptions();

    public DecisionEngineOptions Options => _options;

    public Decision Decide(DecisionInput input)
    {
        var spec = input.Policy.Spec;
        var now = input.Now;
        var current = input.Workload.SpecReplicas;

        if (ProposalRules.ActiveFreeze(spec, now) is { } freeze)
        {
            var by = freeze.By is { Length: > 0 } ? $" by {freeze.By}" : "";
            return Fixed(input, current, DecisionOutcome.Hold, "freeze",
                $"frozen{by} until {Time(freeze.Until)}: {freeze.Reason}; no changes");
        }

        if (ProposalRules.ActivePin(spec, now) is { } pin)
        {
            var by = pin.By is { Length: > 0 } ? $" by {pin.By}" : "";
            return Fixed(input, pin.Replicas, pin.Replicas == current ? DecisionOutcome.None : DecisionOutcome.ApplyNow, "pin",
                $"pinned at {pin.Replicas}{by} until {Time(pin.Until)}: {pin.Reason}");
        }

        var reason = t_reason ??= new StringBuilder(256);
        reason.Clear();

        // 1. What each metric asks for.
        var metrics = spec.Metrics;
        var assessments = new MetricAssessment[metrics.Count];
        var staleAfter = Max(_options.MinStaleAfter, TimeSpan.FromSeconds(spec.EvaluationIntervalSeconds * _options.StaleAfterIntervals));
        var lookAhead = spec.Prediction.LookAheadSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : input.Workload.ObservedStartupTime ?? _options.DefaultLookAhead;
        int? raw = null;
        int? predictive = null;
        string? problems = null;
        for (var i = 0; i < assessments.Length; i++)
        {
            var a = MetricAssessment.Assess(metrics[i], input, staleAfter, lookAhead);
            assessments[i] = a;
            if (i > 0)
            {
                reason.Append("; ");
            }

            DescribeMetric(reason, a);
            if (!a.IsHealthy)
            {
                problems = problems is null ? $"{a.Spec.Name} {a.Problem}" : $"{problems}, {a.Spec.Name} {a.Problem}";
                continue;
            }

            raw = Math.Max(raw ?? 0, a.Reactive!.Value);
            if (a.Predictive is { } p)
            {
                predictive = Math.Max(predictive ?? 0, p);
            }
        }

        // 2. Fail-static: with any metric unusable, only scale-ups from the healthy ones are allowed.
        string? boundBy = null;
        var hold = false;
        var desired = current;
        // Prediction only ever adds or keeps capacity: it counts when it asks for at least what there is (a rise is
        // still under way), never to slow a scale-down from above it.
        var wanted = predictive >= current ? Math.Max(raw ?? current, predictive.Value) : raw ?? current;
        if (problems is not null && wanted <= current)
        {
            reason.Append("; fail-static: not scaling down while ").Append(problems);
            boundBy = "failStatic";
            hold = true;
        }
        else
        {
            // 3. Stabilization over recorded (measured, not predicted) recommendations, then the prediction on top.
            desired = ReplicaLimits.Stabilize(current, wanted, input.History, spec.Behavior, now);
            if (desired != wanted)
            {
                var window = desired > wanted ? spec.Behavior.ScaleDown.StabilizationWindowSeconds : spec.Behavior.ScaleUp.StabilizationWindowSeconds;
                reason.Append(", held at ").Append(desired).Append(" by stabilization (").Append(window).Append("s window)");
                boundBy = "stabilization";
            }

            // 4. Step limits per direction and period.
            if (desired > current)
            {
                var limit = ReplicaLimits.ScaleUpLimit(current, input.History, spec.Behavior.ScaleUp, now);
                if (desired > limit)
                {
                    desired = limit;
                    reason.Append(", capped by max step ").Append(Step(spec.Behavior.ScaleUp.MaxStep)).Append(" -> ").Append(desired);
                    boundBy = "maxStep";
                }
            }
            else if (desired < current)
            {
                var limit = ReplicaLimits.ScaleDownLimit(current, input.History, spec.Behavior.ScaleDown, now);
                if (desired < limit)
                {
                    desired = limit;
                    reason.Append(", limited by max step down ").Append(Step(spec.Behavior.ScaleDown.MaxStep)).Append(" -> ").Append(desired);
                    boundBy = "maxStep";
                }
            }

            // 5. Bounds.
            if (desired > spec.MaxReplicas)
            {
                desired = spec.MaxReplicas;
                reason.Append(", capped by maxReplicas ").Append(desired);
                boundBy = "maxReplicas";
            }
            else if (desired < spec.MinReplicas)
            {
                desired = spec.MinReplicas;
                reason.Append(", raised to minReplicas ").Append(desired);
                boundBy = "minReplicas";
            }

            // 6. Holds: cooldown per direction, and no scale-down while freshly added pods are still starting.
            if (desired != current)
            {
                var direction = desired > current ? spec.Behavior.ScaleUp : spec.Behavior.ScaleDown;
                if (ReplicaLimits.CooldownEnds(input.History, direction.CooldownSeconds, now) is { } ends)
                {
                    reason.Append("; cooling down after the last change (").Append(Seconds(ends - now)).Append(" left), staying at ").Append(current);
                    desired = current;
                    boundBy = "cooldown";
                    hold = true;
                }
                else if (desired < current && StillStarting(input, now))
                {
                    var starting = current - input.Workload.ReadyReplicas;
                    reason.Append("; waiting for ").Append(starting).Append(" starting pod(s) before scaling down, staying at ").Append(current);
                    desired = current;
                    boundBy = "readiness";
                    hold = true;
                }
            }
        }

        // 7. Schedule floors for known events go on top (only freeze outranks them).
        if (ActiveFloor(spec, now) is { } floor && floor.Replicas > desired)
        {
            desired = floor.Replicas;
            reason.Append("; schedule ").Append(floor.Name).Append(" floor -> ").Append(desired);
            boundBy = "schedule:" + floor.Name;
            hold = false;
        }

        if (desired == current && !hold && raw is not null && boundBy is null)
        {
            reason.Append(", stay at ").Append(current);
        }

        return Shape(input, desired, hold, boundBy, raw, predictive, assessments, reason.ToString());
    }

    private Decision Shape(DecisionInput input, int desired, bool hold, string? boundBy, int? raw, int? predictive, MetricAssessment[] assessments, string reason)
    {
        var current = input.Workload.SpecReplicas;
        var direction = desired > current ? ScaleDirection.Up : desired < current ? ScaleDirection.Down : ScaleDirection.None;
        var outcome = direction == ScaleDirection.None
            ? hold ? DecisionOutcome.Hold : DecisionOutcome.None
            : ApprovalShaping.Outcome(input.Policy.Spec, direction, current, desired);

        var evidence = new MetricEvidence[assessments.Length];
        for (var i = 0; i < assessments.Length; i++)
        {
            var a = assessments[i];
            evidence[i] = new MetricEvidence
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

        return new Decision
        {
            CurrentReplicas = current,
            DesiredReplicas = desired,
            Direction = direction,
            Outcome = outcome,
            Reason = reason,
            RawRecommendation = raw,
            PredictedRecommendation = predictive,
            AlternativeReplicas = outcome == DecisionOutcome.Propose ? ApprovalShaping.HalfStep(input.Policy.Spec, current, desired) : null,
            RequiresTwoPersons = outcome == DecisionOutcome.Propose && ApprovalShaping.RequiresTwoPersons(input.Policy.Spec, current, desired),
            Evidence = new DecisionEvidence
            {
                Metrics = evidence,
                CurrentReplicas = current,
                ReadyReplicas = input.Workload.ReadyReplicas,
                BoundBy = boundBy,
            },
        };
    }

    private Decision Fixed(DecisionInput input, int desired, DecisionOutcome outcome, string boundBy, string reason)
    {
        var current = input.Workload.SpecReplicas;
        return new Decision
        {
            CurrentReplicas = current,
            DesiredReplicas = desired,
            Direction = desired > current ? ScaleDirection.Up : desired < current ? ScaleDirection.Down : ScaleDirection.None,
            Outcome = outcome,
            Reason = reason,
            Evidence = new DecisionEvidence { CurrentReplicas = current, ReadyReplicas = input.Workload.ReadyReplicas, BoundBy = boundBy },
        };
    }

    private bool StillStarting(DecisionInput input, DateTimeOffset now)
    {
        if (input.Workload.ReadyReplicas >= input.Workload.SpecReplicas)
        {
            return false;
        }

        // A pod that never becomes ready (crash loop) must not block scale-downs forever.
        var changes = input.History.Changes;
        return changes.Count > 0 && changes[^1].To > changes[^1].From && now - changes[^1].Time < _options.MaxStartupWait;
    }

    private static (string Name, int Replicas)? ActiveFloor(ScalePolicySpec spec, DateTimeOffset now)
    {
        (string, int)? best = null;
        foreach (var schedule in spec.Schedules)
        {
            if (ScheduleCalendar.IsActive(schedule, now, out _) && (best is null || schedule.MinReplicas > best.Value.Item2))
            {
                best = (schedule.Name, Math.Min(schedule.MinReplicas, spec.MaxReplicas));
            }
        }

        return best;
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
        }
        else if (a.Trend.Note is "trend reversed")
        {
            reason.Append(" (trend reversed, no prediction)");
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

    private static string Seconds(TimeSpan span) => $"{Math.Ceiling(span.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
