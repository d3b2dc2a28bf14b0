using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Learning a leading signal's conversion across events. Each event whose traffic was judged against the floor
/// (<see cref="LeadingSignalRescale"/>, once the traffic levelled; within the metric's tolerance too) moves the learned
/// factor by the square root of its observed / expected excess (<c>learned ← learned × factor^0.5</c>): each event
/// closes half the gap (in log) to what came, so two events the same way go three quarters of the way, and one odd
/// event moves it by only half its error. The factor stays within <see cref="Least"/>..<see cref="Most"/> of the configured requestsPerUnit, so that number keeps
/// its meaning and no run of events can carry it off. Kept in <see cref="ScalePolicyStatus.LeadingSignal"/> for the
/// conversion it was learned for: a changed name, query, metric or requestsPerUnit starts again from x1.
/// </summary>
public static class LeadingSignalLearning
{
    public const double Least = 0.5;
    public const double Most = 2;

    /// <summary>The weight of one event: the exponent of its factor.</summary>
    public const double Weight = 0.5;

    /// <summary>What was learned for the policy's signal as configured now, or null (nothing yet, or learned for another conversion).</summary>
    public static LeadingSignalStatus? For(ScalePolicy policy) =>
        policy.Spec.LeadingSignal is { } signal && policy.Status?.LeadingSignal is { } learned
        && learned.Name == signal.Name && learned.Query == signal.Query && learned.Metric == signal.Metric
        && learned.RequestsPerUnit.Equals(signal.RequestsPerUnit)
            ? learned
            : null;

    /// <summary>The multiple of requestsPerUnit to size with: the learned factor (a hand-edited one held to the bounds), else 1.</summary>
    public static double Factor(LeadingSignalStatus? learned) =>
        learned is { LearnedFactor: var f } && double.IsFinite(f) ? Math.Clamp(f, Least, Most) : 1;

    /// <summary>
    /// Whether the event whose rise began at <paramref name="riseAt"/> is not in what was learned yet: it began after the
    /// last event was judged. (Not "after the last rise began": a rise longer than the history kept would seem to begin
    /// later each time its first asks are dropped, and teach again.)
    /// </summary>
    public static bool IsNew(LeadingSignalStatus? learned, DateTimeOffset riseAt) =>
        learned?.LastEventAt is not { } last || riseAt > last;

    /// <summary>
    /// The policy as the loop that learned <paramref name="unwritten"/> knows it: with that in its status while the stored
    /// status does not hold it yet (its write failed or conflicted), so the next evaluation sizes with it and does not
    /// judge the same event again, and the next status write carries the lesson. Ignored once the stored status holds it
    /// or something newer (the write went through after all: the lesson is not applied twice), and for another conversion.
    /// </summary>
    public static ScalePolicy WithUnwritten(ScalePolicy policy, LeadingSignalStatus? unwritten)
    {
        if (unwritten is null)
        {
            return policy;
        }

        var known = policy with { Status = (policy.Status ?? new ScalePolicyStatus()) with { LeadingSignal = unwritten } };
        return For(known) is null || For(policy)?.LastEventAt >= unwritten.LastEventAt ? policy : known;
    }

    /// <summary>
    /// The status to keep: what was learned moved by <paramref name="judged"/> when it is a new event, else what was
    /// learned for the conversion as configured now (null when the conversion changed or the signal was removed). From
    /// the status the event was judged against, so a stale status read again gives the same answer, not a second step.
    /// </summary>
    public static LeadingSignalStatus? Next(ScalePolicy policy, SignalEventJudged? judged)
    {
        if (policy.Spec.LeadingSignal is not { } signal)
        {
            return null;
        }

        var learned = For(policy);
        if (judged is not { } j || learned?.LastEventAt >= j.At)
        {
            return learned;
        }

        var factor = Math.Clamp(j.Factor, LeadingSignalRescale.Least, LeadingSignalRescale.Most);
        return new LeadingSignalStatus
        {
            LearnedFactor = Math.Round(Math.Clamp(Factor(learned) * Math.Pow(factor, Weight), Least, Most), 4),
            Events = Math.Min(LeadingSignalStatus.MaxEvents, (learned?.Events ?? 0) + 1),
            LastEventAt = j.At,
            LastEventFactor = Math.Round(factor, 4),
            Name = signal.Name,
            Query = signal.Query,
            Metric = signal.Metric,
            RequestsPerUnit = signal.RequestsPerUnit,
        };
    }
}

/// <summary>
/// A leading-signal event judged by the traffic that came (<see cref="Decision.SignalJudged"/>): when it was judged,
/// and observed / expected excess (clamped 0.5..2; also within the metric's tolerance, where the floor stands).
/// Reported by the engine for the host to keep with <see cref="LeadingSignalLearning.Next"/>.
/// </summary>
public readonly record struct SignalEventJudged(DateTimeOffset At, double Factor);
