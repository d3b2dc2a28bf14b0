using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>What one metric says: its value and trend, or the problem that makes it unusable.</summary>
/// <param name="Need">The pods the value needs at the target, before headroom or tolerance (2.2 for qps 66 at 30/pod).</param>
/// <param name="HeadroomUsed">The share <paramref name="Reactive"/> was sized above <paramref name="Need"/> on a scale-up (0.2 = 20 %).</param>
/// <param name="UpTolerance">The up tolerance band when it kept <paramref name="Reactive"/> at the running count below the need; else 0.</param>
internal readonly record struct MetricAssessment(
    MetricSpec Spec,
    double? Value,
    string? Problem,
    Trend Trend,
    TimeSpan Horizon,
    int? Reactive,
    int? Predictive,
    double Need = 0,
    double HeadroomUsed = 0,
    double UpTolerance = 0)
{
    /// <summary>The tolerance band is at least this many noise units (typical change between observations) wide.</summary>
    public const double NoiseBand = 1.5;

    public bool IsHealthy => Problem is null;

    /// <summary>
    /// Reads, checks and sizes one metric. Missing, failed, NaN and stale readings become a problem, never a number.
    /// <paramref name="known"/>: its reading when the caller already found it (<see cref="DecisionInput.FirstReading"/>).
    /// </summary>
    public static MetricAssessment Assess(
        MetricSpec spec,
        DecisionInput input,
        TimeSpan staleAfter,
        TimeSpan lookAhead,
        MetricReading? known = null)
    {
        if ((known ?? ReadingOf(spec, input.Readings)) is not { } reading)
        {
            return Failed(spec, "no reading");
        }

        if (reading.Status != MetricStatus.Ok)
        {
            var what = Describe(reading.Status);
            return Failed(spec, reading.Problem is { Length: > 0 } p && !what.Contains(p, StringComparison.Ordinal) ? $"{what} ({p})" : what); // the adapter's words may be ours
        }

        if (reading.Value is not { } value || !double.IsFinite(value))
        {
            return Failed(spec, "not a number");
        }

        var sampleTime = reading.SampleTime ?? input.Now;
        var age = input.Now - sampleTime;
        if (age > staleAfter)
        {
            return Failed(spec, $"stale (last sample {age.TotalSeconds:0}s old)");
        }

        var current = input.Workload.SpecReplicas;
        var ready = input.Workload.ReadyReplicas;
        var policySpec = input.Policy.Spec;
        var downTolerance = policySpec.Behavior.ScaleDown.Tolerance ?? policySpec.Tolerance;
        // A series that swings within a band gets the symmetric band on the way up too (SwingHold).
        var upTolerance = SwingHold.UpTolerance(input.History, input.Now, policySpec.Behavior.ScaleUp.Tolerance ?? policySpec.Tolerance, downTolerance);
        var tolerance = new Tolerances(upTolerance, downTolerance);

        // Per-pod averages are only over pods that serve: size from the ready pods, so pods that are still
        // starting are not counted as idle capacity (and not added again).
        var basis = spec.TargetType == MetricTargetType.Average ? ready : 0;
        if (spec.TargetType == MetricTargetType.Average && ready <= 0)
        {
            return Failed(spec, "no ready pods to average over");
        }

        var samples = input.History.Samples(spec.Name);
        var trend = default(Trend);
        int? predictive = null;
        var horizon = lookAhead + (age > TimeSpan.Zero ? age : TimeSpan.Zero);
        var prediction = input.Policy.Spec.Prediction;
        if (prediction.Enabled)
        {
            trend = TrendPredictor.Fit(
                samples,
                new MetricPoint(sampleTime, value),
                TimeSpan.FromSeconds(prediction.LookBackSeconds),
                horizon,
                prediction.MaxGrowthFactor);

            // Hysteresis sized by the noise the series has shown: a band narrower than the noise only chases it.
            var band = NoiseBand * trend.Noise;
            tolerance = new Tolerances(Math.Max(tolerance.Up, band), Math.Max(tolerance.Down, band));
        }

        // The down band protects the count a measurement asked for, not capacity only a prediction wanted: a count
        // more than the up tolerance above the highest need measured over the scale-down window is released to it.
        var measuredPeak = PeakSince(samples, value, input.Now - TimeSpan.FromSeconds(policySpec.Behavior.ScaleDown.StabilizationWindowSeconds));
        // Headroom covers noise; a significant trend is the predictor's to size.
        var headroom = trend.Predicted is null ? trend.Headroom : 0;
        var justified = Needed(spec, measuredPeak, basis) * (1 + Math.Max(CalmRelease.Band(trend, input.History, tolerance.Up, tolerance.Down), headroom));
        var keep = current > Math.Ceiling(justified - 1e-9) ? Ceiling(Needed(spec, measuredPeak, basis)) : current;
        var reactive = Size(spec, value, basis, current, tolerance, keep, headroom);

        // The predictor already asked whether the rise is significant against the noise; the tolerance band in
        // Size still keeps small predicted changes from moving the count. A prediction already looks ahead, so it
        // gets no headroom on top (that would overshoot the peak).
        if (trend.Predicted is { } predicted && Size(spec, predicted, basis, current, tolerance, current, 0) is var sized && sized > reactive)
        {
            predictive = sized;
        }

        // What the reason line needs to add up: "8/pod -> 12, +20% headroom -> 14", "30/pod -> 2.2, within the 13% tolerance of 2".
        var need = Needed(spec, value, basis);
        var headroomUsed = reactive > Math.Max(current, Ceiling(need)) ? headroom : 0;
        var tolerated = reactive == current && need > current ? tolerance.Up : 0;
        return new MetricAssessment(spec, value, null, trend, horizon, reactive, predictive, need, headroomUsed, tolerated);
    }

    /// <summary>
    /// HPA's formula with its tolerance band (per direction): inside the band the count stands, up to
    /// <paramref name="keep"/> (the current count, or less when measurements never asked for all of it).
    /// </summary>
    private static int Size(MetricSpec spec, double value, int readyBasis, int current, Tolerances tolerance, int keep, double headroom)
    {
        var needed = Needed(spec, value, readyBasis);
        var ratio = current > 0 ? needed / current : double.PositiveInfinity;
        if (ratio >= 1 ? ratio - 1 <= tolerance.Up : 1 - ratio <= tolerance.Down)
        {
            return ratio >= 1 ? current : Math.Max(Math.Min(current, keep), Ceiling(needed));
        }

        // Moving up, land above the need by the headroom the series' own rises ask for, so the next rise does not
        // take another step.
        return ratio > 1 ? Ceiling(needed * (1 + headroom)) : Ceiling(needed);
    }

    private static double Needed(MetricSpec spec, double value, int readyBasis) =>
        spec.TargetType == MetricTargetType.Average ? readyBasis * value / spec.Target : value / spec.Target;

    /// <summary>Pods for a need; a hair above an integer (floating-point noise) must not cost a whole pod.</summary>
    private static int Ceiling(double needed) => (int)Math.Min(int.MaxValue, Math.Ceiling(needed - 1e-9));

    /// <summary>The highest of <paramref name="latest"/> and the samples after <paramref name="from"/>.</summary>
    private static double PeakSince(IReadOnlyList<MetricPoint> samples, double latest, DateTimeOffset from)
    {
        var peak = latest;
        if (samples is SampleSeries series)
        {
            // The history's own series keeps the candidates for the highest sample since a time; it asks for a scan
            // only while it holds a NaN or −0, read then without an interface call per sample.
            var fromTicks = from.UtcTicks;
            if (series.TryPeakSince(latest, fromTicks, out peak))
            {
                return peak;
            }

            var entries = series.Entries;
            for (var i = entries.Length - 1; i >= 0 && entries[i].Time.UtcTicks > fromTicks; i--)
            {
                peak = Extremes.Max(peak, entries[i].Value);
            }

            return peak;
        }

        for (var i = samples.Count - 1; i >= 0 && samples[i].Time > from; i--)
        {
            peak = Math.Max(peak, samples[i].Value);
        }

        return peak;
    }

    private readonly record struct Tolerances(double Up, double Down);

    /// <summary>The metric's reading, by its query or else by its name.</summary>
    internal static MetricReading? ReadingOf(MetricSpec spec, IReadOnlyDictionary<string, MetricReading> readings) =>
        readings.TryGetValue(spec.Query, out var reading) || readings.TryGetValue(spec.Name, out reading) ? reading : null;

    private static MetricAssessment Failed(MetricSpec spec, string problem) =>
        new(spec, null, problem, default, TimeSpan.Zero, null, null);

    private static string Describe(MetricStatus status) => status switch
    {
        MetricStatus.Empty => "no data (query returned no series)",
        MetricStatus.MultipleSeries => "ambiguous (query returned several series)",
        MetricStatus.NotANumber => "not a number",
        MetricStatus.InvalidQuery => "invalid query",
        MetricStatus.Unavailable => "unavailable",
        _ => status.ToString(),
    };
}
