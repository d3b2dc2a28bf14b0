using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// A leading signal as a floor: traffic that the signal announced but the metric does not show yet is
/// <c>extra = requestsPerUnit × (signal now − signal leadSeconds ago)</c> (the older part has arrived already), and
/// capacity for it is <c>⌈(metric + extra) × (1 + headroom) / target⌉</c>. Only a rise larger than the scale-up
/// tolerance counts, so a signal's noise does not add headroom. The floor then holds for leadSeconds + holdSeconds (the
/// traffic arrives a lead after the burst that announced it and outlives it), capped by maxReplicas. Pure: it reads the
/// signal's samples and earlier floors from <see cref="PolicyHistory"/>, which <see cref="Record"/> writes.
/// </summary>
public static class LeadingSignalFloor
{
    private const string SignalKey = "signal/";
    private const string FloorKey = "signal-floor/";

    /// <summary>The floor now, or null; <paramref name="asked"/> is what the signal asks for at this moment (to record and hold).</summary>
    public static Floor? Active(DecisionInput input, TimeSpan staleAfter, out int? asked)
    {
        asked = null;
        var spec = input.Policy.Spec;
        if (spec.LeadingSignal is not { } signal)
        {
            return null;
        }

        var now = input.Now;
        var fresh = Instant(input, signal, staleAfter);
        asked = fresh?.Replicas;
        var held = Held(input.History, signal, now);
        if (fresh is null && held is null)
        {
            return null;
        }

        if (fresh is { } f && (held is not { } h0 || f.Replicas >= h0.Replicas))
        {
            var replicas = Math.Min(f.Replicas, spec.MaxReplicas);
            var c = CultureInfo.InvariantCulture;
            return new Floor(replicas, "signal:" + signal.Name, string.Create(c,
                $"leading signal {signal.Name} {Quantity.Format(f.Signal)}: +{Quantity.Format(f.Extra)} {f.Metric.Name} expected within {signal.LeadSeconds}s, ({Quantity.Format(f.Value)} + {Quantity.Format(f.Extra)}) x {1 + signal.Headroom:0.##} / {Quantity.Format(f.Metric.Target)} floor -> {replicas}"));
        }

        var (heldReplicas, since) = held!.Value;
        var capped = Math.Min(heldReplicas, spec.MaxReplicas);
        return new Floor(capped, "signal:" + signal.Name, string.Create(CultureInfo.InvariantCulture,
            $"leading signal {signal.Name} floor -> {capped}, held {(int)(now - since).TotalSeconds}s of {(int)Hold(signal).TotalSeconds}s"));
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

    private static Instantaneous? Instant(DecisionInput input, LeadingSignalSpec signal, TimeSpan staleAfter)
    {
        if (MetricOf(input.Policy.Spec) is not { } metric
            || !Fresh(input, signal.Query, staleAfter, out var s)
            || !Fresh(input, metric.Query, staleAfter, out var value))
        {
            return null;
        }

        var earlier = SignalAt(input.History.Samples(SignalKey + signal.Name), input.Now.AddSeconds(-signal.LeadSeconds)) ?? s;
        var extra = signal.RequestsPerUnit * Math.Max(0, s - earlier);
        var tolerance = input.Policy.Spec.Behavior.ScaleUp.Tolerance ?? input.Policy.Spec.Tolerance;
        if (extra <= 0 || extra <= Math.Max(0, value) * tolerance)
        {
            return null;
        }

        var needed = (Math.Max(0, value) + extra) * (1 + signal.Headroom) / metric.Target;
        var replicas = (int)Math.Min(int.MaxValue, Math.Ceiling(needed - 1e-9));
        return new Instantaneous(replicas, s, extra, value, metric);
    }

    private static (int Replicas, DateTimeOffset Since)? Held(PolicyHistory history, LeadingSignalSpec signal, DateTimeOffset now)
    {
        var cutoff = now - Hold(signal);
        (int, DateTimeOffset)? best = null;
        var floors = history.Samples(FloorKey + signal.Name);
        for (var i = 0; i < floors.Count; i++)
        {
            var p = floors[i];
            if (p.Time >= cutoff && p.Time <= now && (best is null || p.Value >= best.Value.Item1))
            {
                best = ((int)p.Value, p.Time);
            }
        }

        return best;
    }

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
