using System.Runtime.CompilerServices;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// The brain: a pure, deterministic function of (policy, readings, workload, history, now) → <see cref="Decision"/>.
/// No I/O, no clock, no randomness; the same input always gives the same decision. The steps, in order:
/// freeze → pin → per-metric sizing (HPA formula + tolerance, a significant trend for scale-up only, fail-static on
/// bad metrics) → stabilization → change budget → step limits → min/max → readiness and cooldown holds → floors
/// (schedules, then announced traffic: expected events and the leading signal) → an owning HPA's own minimum → mode.
/// </summary>
public sealed class DecisionEngine(DecisionEngineOptions? options = null)
{
    [ThreadStatic]
    private static MetricAssessment[]? t_assessments;

    /// <summary>A change of at least this share of the current count is never held by the change budget.</summary>
    public const double LargeChange = 0.2;

    /// <summary>The scale-down stabilization window while every metric falls significantly (at most the policy's).</summary>
    public const int DecliningWindowSeconds = 180;

    private readonly DecisionEngineOptions _options = options ?? new DecisionEngineOptions();

    public DecisionEngineOptions Options => _options;

    public Decision Decide(DecisionInput input)
    {
        var spec = input.Policy.Spec;
        var now = input.Now;
        var current = input.Workload.SpecReplicas;

        if (spec.Freeze is { } freeze && freeze.Until > now)
        {
            return Fixed(input, current, DecisionOutcome.Hold, freeze, null);
        }

        if (spec.Pin is { } pin && pin.Until > now)
        {
            return Fixed(input, pin.Replicas, pin.Replicas == current ? DecisionOutcome.None : DecisionOutcome.ApplyNow, null, pin);
        }

        // The facts only: the reason text is formatted when someone reads it (DecisionReason.Format).
        var reason = new DecisionReason();
        // Reused per thread: the assessments only live until the decision has kept them (DecisionReason.KeepMetrics).
        var count = spec.Metrics.Count;
        var buffer = t_assessments is { } b && b.Length >= count ? b : t_assessments = new MetricAssessment[Math.Max(count, 4)];
        var assessments = buffer.AsSpan(0, count);
        var sizing = AssessMetrics(input, assessments);
        var step = new Progress(current);

        if (!FailStatic(ref step, sizing, current, ref reason))
        {
            Stabilize(ref step, input, sizing, ref reason);
            SpendChangeBudget(ref step, input, sizing, ref reason);
            ApplyStepLimits(ref step, input, ref reason);
            ApplyBounds(ref step, spec, ref reason);
            ApplyHolds(ref step, input, ref reason);
        }

        var signalAsked = ApplyFloors(ref step, input, ref reason);
        if (input.Workload.Hpa is { } hpa && step.Desired < current)
        {
            ApplyHpaFloor(ref step, hpa, current, ref reason);
        }

        reason.StayAt = step.Desired == current && !step.Hold && sizing.Raw is not null && step.BoundBy is null;
        reason.BoundBy = step.BoundBy;
        reason.KeepMetrics(assessments);
        assessments.Clear();
        reason.Followed = sizing.Followed is { } row ? new FollowFacts(row, spec.Follow!, input.Leader, input.Policy.Metadata.Namespace) : null;
        reason.StillRising = sizing.StillRising;
        return Shape(input, step.Desired, step.Hold, sizing.Raw, sizing.Predictive, signalAsked, ref reason);
    }

    /// <summary>Where a decision stands as it passes the steps: the count so far, what bound it last, and whether it is a deliberate hold.</summary>
    private struct Progress(int desired)
    {
        public int Desired = desired;
        public string? BoundBy;
        public bool Hold;

        /// <summary>The scale-down is the end of an event (EventEnd): the swing budget does not hold it.</summary>
        public bool EventEnded;
    }

    /// <summary>What the metrics ask for together: measured (raw), predicted, the count wanted, problems, and the noisiest series.</summary>
    private readonly record struct Sizing(int? Raw, int? Predictive, int Wanted, string? Problems, double Noise, bool Falling = false, bool StillRising = false, MetricEvidence? Followed = null, bool NewHigh = false, double Swing = 0);

    /// <summary>1. What each metric asks for (HPA formula and tolerance, a significant trend for scale-up only).</summary>
    private Sizing AssessMetrics(DecisionInput input, Span<MetricAssessment> assessments)
    {
        var spec = input.Policy.Spec;
        var current = input.Workload.SpecReplicas;
        if (spec.Follow is { } follow)
        {
            // A follower has no metric of its own: the leader's desired count × ratio, exact (no tolerance, no trend).
            var (asked, problem, evidence) = FollowSizing.Assess(follow, input.Leader, input.Policy.Metadata.Namespace);
            // The line itself is written when read (DecisionReason.Format, from the evidence).
            return new Sizing(asked, null, asked ?? current, problem, 0, Followed: evidence);
        }

        var staleAfter = StaleAfter(spec);
        var lookAhead = spec.Prediction.LookAheadSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : input.Workload.ObservedStartupTime ?? _options.DefaultLookAhead;
        int? raw = null;
        int? predictive = null;
        string? problems = null;
        var noise = 0.0;
        var rising = false;
        var falling = true;
        var newHigh = false;
        var swing = 0.0;
        for (var i = 0; i < assessments.Length; i++)
        {
            var a = MetricAssessment.Assess(spec.Metrics[i], input, staleAfter, lookAhead, i == 0 ? input.FirstReading : null);
            assessments[i] = a;
            if (!a.IsHealthy)
            {
                problems = problems is null ? $"{a.Spec.Name} {a.Problem}" : $"{problems}, {a.Spec.Name} {a.Problem}";
                continue;
            }

            raw = Math.Max(raw ?? 0, a.Reactive!.Value);
            noise = Math.Max(noise, a.Trend.Noise);
            rising |= a.Trend.Rising;
            swing = Math.Max(swing, a.Trend.Swing);
            falling &= a.Trend.SlopePerSecond < 0 && a.Trend.TStatistic <= -TrendPredictor.MinTStatistic;
            if (a.Predictive is { } p)
            {
                predictive = Math.Max(predictive ?? 0, p);
                newHigh |= a.Trend.BeyondRange;
            }
        }

        // Prediction only ever adds or keeps capacity: it counts when it asks for at least what there is (a rise is
        // still under way), never to slow a scale-down from above it.
        var wanted = predictive >= current ? Math.Max(raw ?? current, predictive.Value) : raw ?? current;

        // No scale-down while a metric still rises significantly: the drop would be undone within a minute.
        var stillRising = rising && wanted < current;
        if (stillRising)
        {
            wanted = current;
        }

        return new Sizing(raw, predictive, wanted, problems, noise, falling && raw is not null, stillRising, NewHigh: newHigh, Swing: swing);
    }

    /// <summary>2. Fail-static: with any metric unusable, only scale-ups from the healthy ones are allowed.</summary>
    private static bool FailStatic(ref Progress step, in Sizing sizing, int current, ref DecisionReason reason)
    {
        if (sizing.Problems is null || sizing.Wanted > current)
        {
            return false;
        }

        reason.FailStaticProblems = sizing.Problems;
        step.BoundBy = Decision.HeldByFailStatic;
        step.Hold = true;
        return true;
    }

    /// <summary>3. Stabilization over recorded (measured, not predicted) recommendations, then the prediction on top.</summary>
    private static void Stabilize(ref Progress step, DecisionInput input, in Sizing sizing, ref DecisionReason reason)
    {
        var behavior = input.Policy.Spec.Behavior;
        var wanted = sizing.Wanted;

        // The down window guards against noise; while every metric falls significantly the decline is no noise,
        // so the window shrinks (never grows) to the decline window.
        var downWindow = sizing.Falling
            ? Math.Min(behavior.ScaleDown.StabilizationWindowSeconds, DecliningWindowSeconds)
            : behavior.ScaleDown.StabilizationWindowSeconds;
        // A trough of a swing the engine had to undo before is held at the swing's top (SwingHold).
        downWindow = SwingHold.DownWindow(input.History, input.Now, wanted, downWindow);
        step.Desired = ReplicaLimits.Stabilize(step.Desired, wanted, input.History, behavior, input.Now, downWindow);
        // The end of an event (not a dip, not a swing) is released sooner (EventEnd).
        var current = input.Workload.SpecReplicas;
        if (sizing.Falling && downWindow > EventEnd.WindowSeconds && EventEnd.Ended(input.History, input.Now, sizing.Swing, sizing.Noise, current, wanted)
            && ReplicaLimits.Stabilize(current, wanted, input.History, behavior, input.Now, EventEnd.WindowSeconds) is var sooner
            && sooner < step.Desired && sooner <= current * (1 - LargeChange))
        {
            step.Desired = sooner;
            downWindow = EventEnd.WindowSeconds;
            step.EventEnded = true;
        }

        if (step.Desired != wanted)
        {
            var window = step.Desired > wanted ? downWindow : behavior.ScaleUp.StabilizationWindowSeconds;
            reason.Stabilized = true;
            reason.StabilizedAt = step.Desired;
            reason.StabilizationWindow = window;
            step.BoundBy = "stabilization";
        }
    }

    /// <summary>
    /// 4. Change budget: with the policy's changes per 10 minutes spent, a small change waits. Exempt: an urgent
    /// scale-up (a measured shortage beyond both the tolerance and twice the metric's own noise, or a significant
    /// rise predicted past the highest level of the last 10 minutes: a ramp) and any move of at least
    /// <see cref="LargeChange"/> of the current count. A predicted rise back into the range a swinging series has
    /// already visited pays from the budget like any adjustment. Releasing a prediction's overshoot after an event is
    /// exempt too (<see cref="PredictedOvershot"/>). While a series swings the budget binds harder (<see cref="SwingBudget"/>).
    /// </summary>
    private static void SpendChangeBudget(ref Progress step, DecisionInput input, in Sizing sizing, ref DecisionReason reason)
    {
        var current = input.Workload.SpecReplicas;
        var budget = input.Policy.Spec.Behavior.ChangeBudget;
        if (step.Desired == current || budget <= 0)
        {
            return;
        }

        var spec = input.Policy.Spec;
        if (SwingHold.Regretted(input.History, input.Now))
        {
            var after = SwingBudget.Apply(input.History, input.Now, current, step.Desired, sizing.Raw, sizing.Swing, budget, step.EventEnded, out var used);
            if (after != current)
            {
                step.Desired = after;
                return;
            }

            Hold(ref step, ref reason, spec, current, used);
            return;
        }

        var margin = Math.Max(spec.Behavior.ScaleUp.Tolerance ?? spec.Tolerance, 2 * sizing.Noise);
        var urgent = step.Desired > current && (sizing.Raw > current * (1 + margin) || (sizing.Predictive > current && sizing.NewHigh));
        if (urgent || Math.Abs(step.Desired - current) >= current * LargeChange)
        {
            return; // a real shortage, or a move so large it is no adjustment (a spike arriving or ending)
        }

        if (PredictedOvershot.Release(input.History, current, step.Desired, sizing.Swing))
        {
            return; // capacity no measurement asked for, left by a prediction at the end of an event
        }

        var spent = ReplicaLimits.ChangesSince(input.History, input.Now - ReplicaLimits.BudgetWindow);
        if (spent >= budget)
        {
            Hold(ref step, ref reason, spec, current, spent);
        }

        static void Hold(ref Progress step, ref DecisionReason reason, ScalePolicySpec spec, int current, int spent)
        {
            reason.BudgetHeld = true;
            reason.BudgetSpent = spent;
            // Held before the step limits and bounds: what it keeps back is at least kept within min/max.
            reason.Unheld = Math.Clamp(step.Desired, spec.MinReplicas, spec.MaxReplicas);
            step.Desired = current;
            step.BoundBy = "changeBudget";
            step.Hold = true;
        }
    }

    /// <summary>5. Step limits per direction and period.</summary>
    private static void ApplyStepLimits(ref Progress step, DecisionInput input, ref DecisionReason reason)
    {
        var current = input.Workload.SpecReplicas;
        var behavior = input.Policy.Spec.Behavior;
        if (step.Desired > current)
        {
            var limit = ReplicaLimits.ScaleUpLimit(current, input.History, behavior.ScaleUp, input.Now);
            if (step.Desired > limit)
            {
                reason.StepCapFrom = step.Desired;
                step.Desired = limit;
                reason.StepCapped = true;
                reason.StepCap = behavior.ScaleUp.MaxStep;
                reason.StepCapTo = limit;
                step.BoundBy = "maxStep";
            }
        }
        else if (step.Desired < current)
        {
            var limit = ReplicaLimits.ScaleDownLimit(current, input.History, behavior.ScaleDown, input.Now);
            if (step.Desired < limit)
            {
                step.Desired = limit;
                reason.StepCapped = true;
                reason.StepCapDown = true;
                reason.StepCap = behavior.ScaleDown.MaxStep;
                reason.StepCapTo = limit;
                step.BoundBy = "maxStep";
            }
        }
    }

    /// <summary>6. minReplicas and maxReplicas.</summary>
    private static void ApplyBounds(ref Progress step, ScalePolicySpec spec, ref DecisionReason reason)
    {
        if (step.Desired > spec.MaxReplicas)
        {
            step.Desired = spec.MaxReplicas;
            reason.CappedAtMax = true;
            reason.Bound = step.Desired;
            step.BoundBy = "maxReplicas";
        }
        else if (step.Desired < spec.MinReplicas)
        {
            step.Desired = spec.MinReplicas;
            reason.RaisedToMin = true;
            reason.Bound = step.Desired;
            step.BoundBy = "minReplicas";
        }
    }

    /// <summary>7. Holds: cooldown per direction, and no scale-down while freshly added pods are still starting.</summary>
    private void ApplyHolds(ref Progress step, DecisionInput input, ref DecisionReason reason)
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
            reason.CoolingDown = true;
            reason.CooldownLeftSeconds = Math.Ceiling((ends - input.Now).TotalSeconds);
            reason.Unheld = step.Desired;
            step.Desired = current;
            step.BoundBy = "cooldown";
            step.Hold = true;
        }
        else if (step.Desired < current && StillStarting(input, input.Now))
        {
            reason.WaitingForReadiness = true;
            reason.StartingPods = current - input.Workload.ReadyReplicas;
            reason.Unheld = step.Desired;
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
    private int? ApplyFloors(ref Progress step, DecisionInput input, ref DecisionReason reason)
    {
        var spec = input.Policy.Spec;
        string? scheduleName = null;
        var scheduleFloor = 0;
        if (ScheduleFloor.Active(spec, input.Now) is { } floor && floor.Replicas > step.Desired)
        {
            step.Desired = floor.Replicas;
            scheduleName = ScheduleFloor.ScheduleOf(floor.BoundBy);
            scheduleFloor = step.Desired;
            step.BoundBy = floor.BoundBy;
            step.Hold = false;
        }

        var signal = LeadingSignalFloor.Active(input, StaleAfter(spec), out var asked, out var judged);
        string? eventReason = null;
        if (ExpectedEventFloor.Active(spec, input.Now) is { } e && e.Replicas > step.Desired)
        {
            step.Desired = e.Replicas;
            eventReason = e.Reason;
            step.BoundBy = e.BoundBy;
            step.Hold = false;
        }

        string? signalReason = null;
        if (signal is { } f && f.Replicas > step.Desired)
        {
            step.Desired = f.Replicas;
            signalReason = f.Reason;
            step.BoundBy = f.BoundBy;
            step.Hold = false;
        }
        else if (signal is null && UnreadableSignal(input) is { } unreadable)
        {
            signalReason = unreadable; // a broken signal query would otherwise be silent: no floor, nothing said
        }

        if (scheduleName is not null || eventReason is not null || signalReason is not null || judged is not null)
        {
            reason.Floors = new FloorFacts(scheduleName, scheduleFloor, eventReason, signalReason, judged);
        }

        return asked;
    }

    /// <summary>
    /// 9. An HPA that owns the workload keeps its owner's minReplicas (<see cref="HpaInfo.OwnMinReplicas"/>): ScaleControl
    /// can raise that floor and lower it back, never below the owner's, so a scale-down asks for that minimum at the
    /// lowest, and holds where the floor would not come down (<see cref="HpaInfo.ScaleDownFloor"/>): the workload runs at
    /// or below the minimum, or the HPA itself keeps it above a floor the decision would not lower. Asking anyway
    /// changed nothing in the cluster and made a proposal (and a card or notice) on every evaluation.
    /// Not inlined: only a workload with an HPA comes here.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ApplyHpaFloor(ref Progress step, HpaInfo hpa, int current, ref DecisionReason reason)
    {
        var floor = hpa.ScaleDownFloor(step.Desired);
        if (floor == step.Desired)
        {
            return; // ScaleControl's raised floor comes down to the count asked for
        }

        step.Desired = Math.Min(floor ?? current, current);
        step.BoundBy = "hpaMinReplicas";
        step.Hold = step.Desired == current;
        reason.HpaFloor = hpa;
        reason.HpaDecides = floor is null && current > hpa.OwnMinReplicas;
    }

    /// <summary>Why the policy's leading signal could not be read this time, or null (none, or it was read).</summary>
    private static string? UnreadableSignal(DecisionInput input) =>
        input.Policy.Spec.LeadingSignal is { } s && input.Readings.TryGetValue(s.Query, out var r) && !r.IsUsable
            ? $"leading signal {s.Name} not read ({r.Status}: {r.Problem}), no floor from it"
            : null;

    /// <summary>A sample older than this is stale: max(MinStaleAfter, StaleAfterIntervals x the evaluation interval).</summary>
    private TimeSpan StaleAfter(ScalePolicySpec spec) =>
        Max(_options.MinStaleAfter, TimeSpan.FromSeconds(spec.EvaluationIntervalSeconds * _options.StaleAfterIntervals));

    private static Decision Shape(DecisionInput input, int desired, bool hold, int? raw, int? predictive, int? signalAsked, ref DecisionReason reason)
    {
        var current = input.Workload.SpecReplicas;
        var direction = desired > current ? ScaleDirection.Up : desired < current ? ScaleDirection.Down : ScaleDirection.None;
        var outcome = direction == ScaleDirection.None
            ? hold ? DecisionOutcome.Hold : DecisionOutcome.None
            : ApprovalShaping.Outcome(input.Policy.Spec, direction, current, desired);

        reason.Current = current;
        reason.Ready = input.Workload.ReadyReplicas;
        var alternative = outcome == DecisionOutcome.Propose ? ApprovalShaping.HalfStep(input.Policy.Spec, current, desired) : null;
        var twoPersons = outcome == DecisionOutcome.Propose && ApprovalShaping.RequiresTwoPersons(input.Policy.Spec, current, desired);
        return new Decision(current, desired, direction, outcome, in reason, raw, predictive, signalAsked, alternative, twoPersons);
    }

    /// <summary>A decision fixed by a freeze or a pin. Not inlined: the rare path's facts stay out of <see cref="Decide"/>'s frame, which is zeroed on every call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Decision Fixed(DecisionInput input, int desired, DecisionOutcome outcome, FreezeSpec? freeze, PinSpec? pin)
    {
        var current = input.Workload.SpecReplicas;
        var reason = new DecisionReason { Current = current, Ready = input.Workload.ReadyReplicas, BoundBy = freeze is null ? "pin" : "freeze", Freeze = freeze, Pin = pin };
        var direction = desired > current ? ScaleDirection.Up : desired < current ? ScaleDirection.Down : ScaleDirection.None;
        return new Decision(current, desired, direction, outcome, in reason);
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

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
