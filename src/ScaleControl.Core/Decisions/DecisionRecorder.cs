using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Keeps a policy's <see cref="PolicyHistory"/> up to date for the control loop in one call per evaluation
/// (samples, the measured recommendation, trimming) and one per applied change.
/// </summary>
public static class DecisionRecorder
{
    /// <summary>
    /// Call before <see cref="DecisionEngine.Decide"/>: a loop that has not watched the policy's scale-down window
    /// holds the current count for one window (<see cref="PolicyHistory.RecordWatchStart"/>). The loop records every
    /// evaluation interval, so only a silence longer than the window and two intervals counts as not watching.
    /// </summary>
    public static void RecordWatchStart(this PolicyHistory history, DecisionInput input)
    {
        var spec = input.Policy.Spec;
        var unwatched = TimeSpan.FromSeconds(spec.Behavior.ScaleDown.StabilizationWindowSeconds + (2L * spec.EvaluationIntervalSeconds));
        history.RecordWatchStart(input.Now, input.Workload.SpecReplicas, unwatched);
    }

    /// <summary>Call after <see cref="DecisionEngine.Decide"/>: records usable samples and the measured recommendation, then trims.</summary>
    public static void RecordEvaluation(this PolicyHistory history, DecisionInput input, in Decision decision)
    {
        var metrics = input.Policy.Spec.Metrics;
        for (var i = 0; i < metrics.Count; i++)
        {
            var metric = metrics[i];
            if (((i == 0 ? input.FirstReading : null) ?? MetricAssessment.ReadingOf(metric, input.Readings)) is { IsUsable: true } reading)
            {
                history.AddSample(metric.Name, new MetricPoint(reading.SampleTime ?? input.Now, reading.Value!.Value));
            }
        }

        if (decision.RawRecommendation is { } raw)
        {
            history.AddRecommendation(input.Now, raw);
        }

        LeadingSignalFloor.Record(history, input, in decision);

        history.Trim(input.Now, Retention(input.Policy.Spec));
    }

    /// <summary>
    /// Call once a scale write succeeded (automatic or approved), with the proposal's applied change it was
    /// (<paramref name="source"/>), and for every change learned from the ScaleProposals: feeds cooldowns, step limits,
    /// the change budget and the swing rules. The same source is counted once.
    /// </summary>
    /// <returns>Whether the change was added (not a no-op, not held already).</returns>
    public static bool RecordChange(this PolicyHistory history, DateTimeOffset time, int from, int to, ChangeSource? source = null) =>
        from != to && history.AddChange(new ScaleChange(time, from, to, source));

    /// <summary>
    /// Records applied changes learned from the ScaleProposals (applied by another replica, or before this loop
    /// watched): those the history still keeps for this spec at <paramref name="now"/>, each once, in time order.
    /// </summary>
    /// <returns>How many were new.</returns>
    public static int RecordChanges(this PolicyHistory history, IEnumerable<ScaleChange> applied, ScalePolicySpec spec, DateTimeOffset now)
    {
        var from = PolicyHistory.ChangesKeptFrom(now, Retention(spec));
        var added = 0;
        foreach (var change in applied)
        {
            if (change.Time >= from && history.RecordChange(change.Time, change.From, change.To, change.Source))
            {
                added++;
            }
        }

        return added;
    }

    /// <summary>How much history the engine can look at for this policy (plus the start-up wait for readiness).</summary>
    public static TimeSpan Retention(ScalePolicySpec spec)
    {
        var up = spec.Behavior.ScaleUp;
        var down = spec.Behavior.ScaleDown;
        var seconds = Math.Max(
            Math.Max(spec.Prediction.LookBackSeconds, 600),
            Math.Max(
                Math.Max(up.StabilizationWindowSeconds, down.StabilizationWindowSeconds),
                Math.Max(Math.Max(up.PeriodSeconds, down.PeriodSeconds), Math.Max(up.CooldownSeconds, down.CooldownSeconds))));
        return TimeSpan.FromSeconds(seconds + spec.EvaluationIntervalSeconds) + LeadingSignalFloor.Retention(spec.LeadingSignal);
    }
}
