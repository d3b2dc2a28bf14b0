using System.Globalization;
using System.Text;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The brain: a pure, deterministic function of (policy, readings, workload, history, now) → <see cref="Decision"/>.
/// No I/O, no clock, no randomness; the same input always gives the same decision. The steps, in order:
/// freeze → pin → per-metric sizing (HPA formula + tolerance, a significant trend for scale-up only, fail-static on
/// bad metrics) → stabilization → change budget → step limits → min/max → readiness and cooldown holds → floors
/// (schedules, then announced traffic: expected events and the leading signal) → mode.
/// </summary>
public sealed class DecisionEngine(DecisionEngineOptions? options = null)
{
    [ThreadStatic]
    private static StringBuilder? t_reason;

    [ThreadStatic]
    private static MetricAssessment[]? t_assessments;

    /// <summary>A change of at least this share of the current count is never held by the change budget.</summary>
    public const double LargeChange = 0.2;

    private readonly DecisionEngineOptions _options = options ?? new DecisionEngineOptions();

    public DecisionEngineOptions Options => _options;

    public Decision Decide(DecisionInput input)
    {
        var spec = input.Policy.Spec;
        var now = input.Now;
        var current = input.Workload.SpecReplicas;

        if (spec.Freeze is { } freeze && freeze.Until > now)
        {
            var by = freeze.By is { Length: > 0 } ? $" by {freeze.By}" : "";
            return Fixed(input, current, DecisionOutcome.Hold, "freeze",
                $"frozen{by} until {Time(freeze.Until)}: {freeze.Reason}; no changes");
        }

        if (spec.Pin is { } pin && pin.Until > now)
        {
            var by = pin.By is { Length: > 0 } ? $" by {pin.By}" : "";
            return Fixed(input, pin.Replicas, pin.Replicas == current ? DecisionOutcome.None : DecisionOutcome.ApplyNow, "pin",
                $"pinned at {pin.Replicas}{by} until {Time(pin.Until)}: {pin.Reason}");
        }

        var reason = t_reason ??= new StringBuilder(256);
        reason.Clear();
        // Reused per thread: the assessments only live until Shape has turned them into evidence.
        var count = spec.Metrics.Count;
        var buffer = t_assessments is { } b && b.Length >= count ? b : t_assessments = new MetricAssessment[Math.Max(count, 4)];
        var assessments = buffer.AsSpan(0, count);
        var sizing = AssessMetrics(input, assessments, reason);
        var step = new Progress(current);

        if (!FailStatic(ref step, sizing, current, reason))
        {
            Stabilize(ref step, input, sizing.Wanted, reason);
            SpendChangeBudget(ref step, input, sizing, reason);
            ApplyStepLimits(ref step, input, reason);
            ApplyBounds(ref step, spec, reason);
            ApplyHolds(ref step, input, reason);
        }

        var signalAsked = ApplyFloors(ref step, input, reason);

        if (step.Desired == current && !step.Hold && sizing.Raw is not null && step.BoundBy is null)
        {
            reason.Append(", stay at ").Append(current);
        }

        var decision = Shape(input, step.Desired, step.Hold, step.BoundBy, sizing.Raw, sizing.Predictive, assessments, sizing.Followed, reason.ToString());
        assessments.Clear();
        return signalAsked is null ? decision : decision with { SignalFloor = signalAsked };
    }

    /// <summary>Where a decision stands as it passes the steps: the count so far, what bound it last, and whether it is a deliberate hold.</summary>
    private struct Progress(int desired)
    {
        public int Desired = desired;
        public string? BoundBy;
        public bool Hold;
    }

    /// <summary>What the metrics ask for together: measured (raw), predicted, the count wanted, problems, and the noisiest series.</summary>
    private readonly record struct Sizing(int? Raw, int? Predictive, int Wanted, string? Problems, double Noise, MetricEvidence? Followed = null);

    /// <summary>1. What each metric asks for (HPA formula and tolerance, a significant trend for scale-up only).</summary>
    private Sizing AssessMetrics(DecisionInput input, Span<MetricAssessment> assessments, StringBuilder reason)
    {
        var spec = input.Policy.Spec;
        var current = input.Workload.SpecReplicas;
        if (spec.Follow is { } follow)
        {
            // A follower has no metric of its own: the leader's desired count × ratio, exact (no tolerance, no trend).
            var (asked, problem, evidence) = FollowSizing.Assess(follow, input.Leader, input.Policy.Metadata.Namespace);
            reason.Append(FollowSizing.Describe(follow, input.Leader, asked, problem, input.Policy.Metadata.Namespace));
            return new Sizing(asked, null, asked ?? current, problem, 0, evidence);
        }

        var staleAfter = StaleAfter(spec);
        var lookAhead = spec.Prediction.LookAheadSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : input.Workload.ObservedStartupTime ?? _options.DefaultLookAhead;
        int? raw = null;
        int? predictive = null;
        string? problems = null;
        var noise = 0.0;
        for (var i = 0; i < assessments.Length; i++)
        {
            var a = MetricAssessment.Assess(spec.Metrics[i], input, staleAfter, lookAhead);
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
            noise = Math.Max(noise, a.Trend.Noise);
            if (a.Predictive is { } p)
            {
                predictive = Math.Max(predictive ?? 0, p);
            }
        }

        // Prediction only ever adds or keeps capacity: it counts when it asks for at least what there is (a rise is
        // still under way), never to slow a scale-down from above it.
        var wanted = predictive >= current ? Math.Max(raw ?? current, predictive.Value) : raw ?? current;
        return new Sizing(raw, predictive, wanted, problems, noise);
    }

    /// <summary>2. Fail-static: with any metric unusable, only scale-ups from the healthy ones are allowed.</summary>
    private static bool FailStatic(ref Progress step, in Sizing sizing, int current, StringBuilder reason)
    {
        if (sizing.Problems is null || sizing.Wanted > current)
        {
            return false;
        }

        reason.Append("; fail-static: not scaling down while ").Append(sizing.Problems);
        step.BoundBy = "failStatic";
        step.Hold = true;
        return true;
    }

    /// <summary>3. Stabilization over recorded (measured, not predicted) recommendations, then the prediction on top.</summary>
    private static void Stabilize(ref Progress step, DecisionInput input, int wanted, StringBuilder reason)
    {
        var behavior = input.Policy.Spec.Behavior;
        step.Desired = ReplicaLimits.Stabilize(step.Desired, wanted, input.History, behavior, input.Now);
        if (step.Desired != wanted)
        {
            var window = step.Desired > wanted ? behavior.ScaleDown.StabilizationWindowSeconds : behavior.ScaleUp.StabilizationWindowSeconds;
            reason.Append(", held at ").Append(step.Desired).Append(" by stabilization (").Append(window).Append("s window)");
            step.BoundBy = "stabilization";
        }
    }

    /// <summary>
    /// 4. Change budget: with the policy's changes per 10 minutes spent, a small change waits. Exempt: an urgent
    /// scale-up (a measured shortage beyond both the tolerance and twice the metric's own noise, or a rise the
    /// predictor found significant) and any move of
    /// at least <see cref="LargeChange"/> of the current count.
    /// </summary>
    private static void SpendChangeBudget(ref Progress step, DecisionInput input, in Sizing sizing, StringBuilder reason)
    {
        var current = input.Workload.SpecReplicas;
        var budget = input.Policy.Spec.Behavior.ChangeBudget;
        if (step.Desired == current || budget <= 0)
        {
            return;
        }

        var spec = input.Policy.Spec;
        var margin = Math.Max(spec.Behavior.ScaleUp.Tolerance ?? spec.Tolerance, 2 * sizing.Noise);
        var urgent = step.Desired > current && (sizing.Raw > current * (1 + margin) || sizing.Predictive > current);
        if (urgent || Math.Abs(step.Desired - current) >= current * LargeChange)
        {
            return; // a real shortage, or a move so large it is no adjustment (a spike arriving or ending)
        }

        var spent = ReplicaLimits.ChangesSince(input.History, input.Now - ReplicaLimits.BudgetWindow);
        if (spent >= budget)
        {
            reason.Append("; change budget spent (").Append(spent).Append(" changes in 10 min), staying at ").Append(current);
            step.Desired = current;
            step.BoundBy = "changeBudget";
            step.Hold = true;
        }
    }

    /// <summary>5. Step limits per direction and period.</summary>
    private static void ApplyStepLimits(ref Progress step, DecisionInput input, StringBuilder reason)
    {
        var current = input.Workload.SpecReplicas;
        var behavior = input.Policy.Spec.Behavior;
        if (step.Desired > current)
        {
            var limit = ReplicaLimits.ScaleUpLimit(current, input.History, behavior.ScaleUp, input.Now);
            if (step.Desired > limit)
            {
                step.Desired = limit;
                reason.Append(", capped by max step ").Append(Step(behavior.ScaleUp.MaxStep)).Append(" -> ").Append(limit);
                step.BoundBy = "maxStep";
            }
        }
        else if (step.Desired < current)
        {
            var limit = ReplicaLimits.ScaleDownLimit(current, input.History, behavior.ScaleDown, input.Now);
            if (step.Desired < limit)
            {
                step.Desired = limit;
                reason.Append(", limited by max step down ").Append(Step(behavior.ScaleDown.MaxStep)).Append(" -> ").Append(limit);
                step.BoundBy = "maxStep";
            }
        }
    }

    /// <summary>6. minReplicas and maxReplicas.</summary>
    private static void ApplyBounds(ref Progress step, ScalePolicySpec spec, StringBuilder reason)
    {
        if (step.Desired > spec.MaxReplicas)
        {
            step.Desired = spec.MaxReplicas;
            reason.Append(", capped by maxReplicas ").Append(step.Desired);
            step.BoundBy = "maxReplicas";
        }
        else if (step.Desired < spec.MinReplicas)
        {
            step.Desired = spec.MinReplicas;
            reason.Append(", raised to minReplicas ").Append(step.Desired);
            step.BoundBy = "minReplicas";
        }
    }

    /// <summary>7. Holds: cooldown per direction, and no scale-down while freshly added pods are still starting.</summary>
    private void ApplyHolds(ref Progress step, DecisionInput input, StringBuilder reason)
    {
        var current = input.Workload.SpecReplicas;
        if (step.Desired == current)
        {
            return;
        }

        var behavior = input.Policy.Spec.Behavior;
        var direction = step.Desired > current ? behavior.ScaleUp : behavior.ScaleDown;
        if (ReplicaLimits.CooldownEnds(input.History, direction.CooldownSeconds, input.Now) is { } ends)
        {
            reason.Append("; cooling down after the last change (").Append(Seconds(ends - input.Now)).Append(" left), staying at ").Append(current);
            step.Desired = current;
            step.BoundBy = "cooldown";
            step.Hold = true;
        }
        else if (step.Desired < current && StillStarting(input, input.Now))
        {
            var starting = current - input.Workload.ReadyReplicas;
            reason.Append("; waiting for ").Append(starting).Append(" starting pod(s) before scaling down, staying at ").Append(current);
            step.Desired = current;
            step.BoundBy = "readiness";
            step.Hold = true;
        }
    }

    /// <summary>
    /// 8. Floors for known events go on top of everything but a freeze; each floor is a max(). Schedules first, then
    /// announced traffic (expected events and the leading signal), exempt from step limits and holds, capped by
    /// maxReplicas; the mode still decides whether a floor is applied or proposed. Returns what the leading signal
    /// asks for now (recorded, so it holds).
    /// </summary>
    private int? ApplyFloors(ref Progress step, DecisionInput input, StringBuilder reason)
    {
        var spec = input.Policy.Spec;
        if (ActiveFloor(spec, input.Now) is { } floor && floor.Replicas > step.Desired)
        {
            step.Desired = floor.Replicas;
            reason.Append("; schedule ").Append(floor.Name).Append(" floor -> ").Append(step.Desired);
            step.BoundBy = "schedule:" + floor.Name;
            step.Hold = false;
        }

        var signal = LeadingSignalFloor.Active(input, StaleAfter(spec), out var asked);
        foreach (var announced in (ReadOnlySpan<Floor?>)[ExpectedEventFloor.Active(spec, input.Now), signal])
        {
            if (announced is { } f && f.Replicas > step.Desired)
            {
                step.Desired = f.Replicas;
                reason.Append("; ").Append(f.Reason);
                step.BoundBy = f.BoundBy;
                step.Hold = false;
            }
        }

        return asked;
    }

    /// <summary>A sample older than this is stale: max(MinStaleAfter, StaleAfterIntervals x the evaluation interval).</summary>
    private TimeSpan StaleAfter(ScalePolicySpec spec) =>
        Max(_options.MinStaleAfter, TimeSpan.FromSeconds(spec.EvaluationIntervalSeconds * _options.StaleAfterIntervals));

    private Decision Shape(
        DecisionInput input, int desired, bool hold, string? boundBy, int? raw, int? predictive, ReadOnlySpan<MetricAssessment> assessments, MetricEvidence? followed, string reason)
    {
        var current = input.Workload.SpecReplicas;
        var direction = desired > current ? ScaleDirection.Up : desired < current ? ScaleDirection.Down : ScaleDirection.None;
        var outcome = direction == ScaleDirection.None
            ? hold ? DecisionOutcome.Hold : DecisionOutcome.None
            : ApprovalShaping.Outcome(input.Policy.Spec, direction, current, desired);

        var evidence = new MetricEvidence[assessments.Length + (followed is null ? 0 : 1)];
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

        if (followed is not null)
        {
            evidence[^1] = followed;
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

    private static string Seconds(TimeSpan span) => $"{Math.Ceiling(span.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s";

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
