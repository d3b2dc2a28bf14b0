using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// A leading signal as a floor: traffic that the signal announced but the metric does not show yet is
/// <c>extra = requestsPerUnit × (signal now − signal leadSeconds ago)</c> (the older part has arrived already), and
/// capacity for it is <c>⌈(metric + extra) × (1 + headroom) / target⌉</c>; requestsPerUnit is multiplied by what the earlier
/// events taught (<see cref="LeadingSignalLearning"/>). Only a rise larger than the scale-up
/// tolerance counts, so a signal's noise does not add headroom. The floor then holds for leadSeconds + holdSeconds (the
/// traffic arrives a lead after the burst that announced it and outlives it), capped by maxReplicas. Once the held
/// floor's traffic is due, it is rescaled by what came (<see cref="LeadingSignalRescale"/>), and once that traffic levels
/// the event is reported for learning. Pure: it reads the
/// signal's samples, earlier floors and the demand they were sized for from <see cref="PolicyHistory"/>, which
/// <see cref="Record"/> writes.
/// </summary>
public static class LeadingSignalFloor
{
    private const string SignalKey = "signal/";
    private const string FloorKey = "signal-floor/";
    private const string DemandKey = "signal-demand/";

    /// <summary>
    /// The floor now, or null; <paramref name="asked"/> is what the signal asks for at this moment (to record and hold),
    /// <paramref name="judged"/> the event whose traffic was judged, when it is not in what was learned yet.
    /// </summary>
    public static Floor? Active(DecisionInput input, TimeSpan staleAfter, out int? asked, out SignalEventJudged? judged)
    {
        asked = null;
        judged = null;
        var spec = input.Policy.Spec;
        if (spec.LeadingSignal is not { } signal)
        {
            return null;
        }

        var now = input.Now;
        var learned = LeadingSignalLearning.For(input.Policy);
        var fresh = Instant(input, signal, LeadingSignalLearning.Factor(learned), staleAfter);
        asked = fresh?.Replicas;
        var floors = input.History.Samples(FloorKey + signal.Name);
        var held = Held(floors, signal, now);
        if (fresh is null && held < 0)
        {
            return null;
        }

        var (heldAt, rescale, heldReplicas) = held < 0 ? (-1, null, 0) : Strongest(input, signal, floors, held);
        if (rescale is { Levelled: true } judgement)
        {
            var riseAt = floors[LeadingSignalRescale.RiseStart(floors, heldAt, signal.LeadSeconds)].Time;
            judged = LeadingSignalLearning.IsNew(learned, riseAt) ? new SignalEventJudged(now, judgement.Ratio) : null;
        }

        var c = CultureInfo.InvariantCulture;
        if (fresh is { } f && (held < 0 || f.Replicas >= heldReplicas))
        {
            var replicas = Math.Min(f.Replicas, spec.MaxReplicas);
            var conversion = learned is { Events: > 0 } l
                ? string.Create(c, $" (conversion learned x{LeadingSignalLearning.Factor(l):0.##} over {l.Events} event{(l.Events == 1 ? "" : "s")})")
                : "";
            return new Floor(replicas, "signal:" + signal.Name, string.Create(c,
                $"leading signal {signal.Name} {Quantity.Format(f.Signal)}: +{Quantity.Format(f.Extra)} {f.Metric.Name} expected{conversion} within {signal.LeadSeconds}s, ({Quantity.Format(f.Value)} + {Quantity.Format(f.Extra)}) x {1 + signal.Headroom:0.##} / {Quantity.Format(f.Metric.Target)} floor -> {replicas}"));
        }

        var capped = Math.Min(heldReplicas, spec.MaxReplicas);
        var why = rescale is { Changes: true } r ? " (" + r.Describe() + ")" : "";
        return new Floor(capped, "signal:" + signal.Name, string.Create(c,
            $"leading signal {signal.Name} floor -> {capped}{why}, held {(int)(now - floors[heldAt].Time).TotalSeconds}s of {(int)Hold(signal).TotalSeconds}s"));
    }

    /// <summary>Call after each decision (from <see cref="DecisionRecorder"/>): keeps the signal's samples and the floor it asked for.</summary>
    public static void Record(PolicyHistory history, DecisionInput input, in Decision decision)
    {
        if (input.Policy.Spec.LeadingSignal is not { } signal)
        {
            return;
        }

        if (decision.SignalFloor is { } asked)
        {
            history.AddSample(FloorKey + signal.Name, new MetricPoint(input.Now, asked));

            // The same ask again (the signal's sample of this evaluation is not in yet), for the demand it was sized
            // for: the rescale compares the traffic that comes with it. Only on an ask, so a quiet signal costs nothing.
            if (Instant(input, signal, LeadingSignalLearning.Factor(LeadingSignalLearning.For(input.Policy)), TimeSpan.MaxValue) is { } f)
            {
                history.AddSample(DemandKey + signal.Name, new MetricPoint(input.Now, Math.Max(0, f.Value) + f.Extra));
            }
        }

        if (input.Readings.TryGetValue(signal.Query, out var reading) && reading.IsUsable)
        {
            history.AddSample(SignalKey + signal.Name, new MetricPoint(reading.SampleTime ?? input.Now, reading.Value!.Value));
        }
    }

    /// <summary>
    /// How long a floor stays after the rise that asked for it: the traffic arrives leadSeconds later and lasts
    /// holdSeconds. Held for holdSeconds alone, a lead longer than the hold dropped the floor before the traffic came
    /// (and the default 90 s lead ended it 90 s before the announced traffic did).
    /// </summary>
    public static TimeSpan Hold(LeadingSignalSpec signal) => TimeSpan.FromSeconds(signal.LeadSeconds + signal.HoldSeconds);

    /// <summary>How much history the rule needs: the lead to compare against, and the hold.</summary>
    public static TimeSpan Retention(LeadingSignalSpec? signal) =>
        signal is null ? TimeSpan.Zero : Hold(signal);

    /// <summary>The PerReplica metric the signal converts into.</summary>
    public static MetricSpec? MetricOf(ScalePolicySpec spec) =>
        spec.LeadingSignal is not { } signal
            ? null
            : spec.Metrics.FirstOrDefault(m => m.TargetType == MetricTargetType.PerReplica && (signal.Metric is null || m.Name == signal.Metric));

    /// <param name="learned">The multiple of requestsPerUnit the earlier events taught (1: none).</param>
    private static Instantaneous? Instant(DecisionInput input, LeadingSignalSpec signal, double learned, TimeSpan staleAfter)
    {
        if (MetricOf(input.Policy.Spec) is not { } metric
            || !Fresh(input, signal.Query, staleAfter, out var s)
            || !Fresh(input, metric.Query, staleAfter, out var value))
        {
            return null;
        }

        var earlier = SignalAt(input.History.Samples(SignalKey + signal.Name), input.Now.AddSeconds(-signal.LeadSeconds)) ?? s;
        var extra = signal.RequestsPerUnit * learned * Math.Max(0, s - earlier);
        var tolerance = input.Policy.Spec.Behavior.ScaleUp.Tolerance ?? input.Policy.Spec.Tolerance;
        if (extra <= 0 || extra <= Math.Max(0, value) * tolerance)
        {
            return null;
        }

        var needed = (Math.Max(0, value) + extra) * (1 + signal.Headroom) / metric.Target;
        var replicas = (int)Math.Min(int.MaxValue, Math.Ceiling(needed - 1e-9));
        return new Instantaneous(replicas, s, extra, value, metric);
    }

    /// <summary>The index in <paramref name="floors"/> of the highest floor asked within the hold (the latest of equal ones), or −1.</summary>
    private static int Held(IReadOnlyList<MetricPoint> floors, LeadingSignalSpec signal, DateTimeOffset now)
    {
        var cutoff = now - Hold(signal);
        var best = -1;
        for (var i = 0; i < floors.Count; i++)
        {
            var p = floors[i];
            if (p.Time >= cutoff && p.Time <= now && (best < 0 || p.Value >= floors[best].Value))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// The floor that holds: the highest asked within the hold, rescaled once its traffic is due, or the highest of the
    /// newest rise when that is another one and asks more (a later, smaller rise is not hidden under an earlier one's cut).
    /// </summary>
    private static (int At, Rescale? Rescale, int Replicas) Strongest(DecisionInput input, LeadingSignalSpec signal, IReadOnlyList<MetricPoint> floors, int held)
    {
        var highest = Effective(input, signal, floors, held);
        var last = floors.Count - 1;
        while (last > held && floors[last].Time > input.Now)
        {
            last--;
        }

        var newest = LeadingSignalRescale.RiseStart(floors, last, signal.LeadSeconds);
        if (newest <= held)
        {
            return highest; // the held floor is the newest rise's
        }

        for (var i = newest + 1; i <= last; i++)
        {
            newest = floors[i].Value >= floors[newest].Value ? i : newest;
        }

        var other = Effective(input, signal, floors, newest);
        return other.Replicas > highest.Replicas ? other : highest;
    }

    private static (int At, Rescale? Rescale, int Replicas) Effective(DecisionInput input, LeadingSignalSpec signal, IReadOnlyList<MetricPoint> floors, int ask) =>
        Rescaled(input, signal, floors, ask) is { } r ? (ask, r, r.Replicas) : (ask, null, (int)floors[ask].Value);

    /// <summary>The ask judged by the traffic that came, or null; looked at only once its traffic is due.</summary>
    private static Rescale? Rescaled(DecisionInput input, LeadingSignalSpec signal, IReadOnlyList<MetricPoint> floors, int ask) =>
        input.Now < floors[ask].Time.AddSeconds(signal.LeadSeconds) || MetricOf(input.Policy.Spec) is not { } metric
            ? null
            : LeadingSignalRescale.Of(input, signal, metric, floors, ask, input.History.Samples(DemandKey + signal.Name), input.History.Samples(metric.Name));

    /// <summary>The signal at <paramref name="time"/>: the last sample at or before it, else the oldest known (no history is no rise).</summary>
    private static double? SignalAt(IReadOnlyList<MetricPoint> samples, DateTimeOffset time)
    {
        if (samples.Count == 0)
        {
            return null;
        }

        for (var i = samples.Count - 1; i >= 0; i--)
        {
            if (samples[i].Time <= time)
            {
                return samples[i].Value;
            }
        }

        return samples[0].Value;
    }

    private static bool Fresh(DecisionInput input, string query, TimeSpan staleAfter, out double value)
    {
        value = 0;
        if (!input.Readings.TryGetValue(query, out var reading) || !reading.IsUsable || input.Now - (reading.SampleTime ?? input.Now) > staleAfter)
        {
            return false;
        }

        value = reading.Value!.Value;
        return true;
    }

    private readonly record struct Instantaneous(int Replicas, double Signal, double Extra, double Value, MetricSpec Metric);
}
