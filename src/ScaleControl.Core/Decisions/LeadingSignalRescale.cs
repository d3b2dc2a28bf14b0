using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// Checks a held leading-signal floor against the traffic that came. Once its traffic is due (the lead has passed since
/// the ask) and <see cref="Scrapes"/> scrapes of the metric have come in after that, the metric's excess over its level
/// before the rise (observed) is compared with the demand the floor was sized for less that level (expected), and the
/// expected excess is scaled by observed/expected, clamped to <see cref="Least"/>..<see cref="Most"/>, for the rest of
/// the hold. The metric is demand (a PerReplica total such as QPS), so the floor's own capacity does not feed back into it.
/// </summary>
internal static class LeadingSignalRescale
{
    /// <summary>Scrapes of the metric after the traffic is due before the floor is judged: one scrape can be a blip.</summary>
    public const int Scrapes = 3;

    public const double Least = 0.5;
    public const double Most = 2;

    /// <summary>
    /// The held floor judged, or null (not due yet, too few scrapes, history missing, or less came but it is still
    /// climbing). Traffic within the metric's tolerance of what was expected is judged x1: the ask stands
    /// (<see cref="Rescale.Changes"/> is false), and the event still counts for learning.
    /// </summary>
    /// <param name="floors">The floors asked, oldest first; <paramref name="held"/> indexes the one that holds.</param>
    /// <param name="demands">The demand (metric + extra, before headroom) each floor was sized for, at the floor's time.</param>
    /// <param name="samples">The metric's samples.</param>
    public static Rescale? Of(
        DecisionInput input, LeadingSignalSpec signal, MetricSpec metric,
        IReadOnlyList<MetricPoint> floors, int held, IReadOnlyList<MetricPoint> demands, IReadOnlyList<MetricPoint> samples)
    {
        var since = floors[held].Time;
        var due = since.AddSeconds(signal.LeadSeconds);
        if (ValueAt(demands, since, exact: true) is not { } demand
            || ValueAt(samples, floors[RiseStart(floors, held, signal.LeadSeconds)].Time, exact: false) is not { } before)
        {
            return null; // asked before the demand was recorded, or the metric's level before the rise is gone
        }

        var expected = demand - Math.Max(0, before);
        if (expected <= 0 || !Observed(samples, Latest(input, metric), due, input.Now, out var highest, out var levelled))
        {
            return null;
        }

        var observed = highest - Math.Max(0, before);
        var spec = input.Policy.Spec;
        double factor;
        if (observed - expected > (spec.Behavior.ScaleUp.Tolerance ?? spec.Tolerance) * demand)
        {
            factor = Math.Min(Most, observed / expected);
        }
        else if (expected - observed > (spec.Behavior.ScaleDown.Tolerance ?? spec.Tolerance) * demand && levelled)
        {
            factor = Math.Max(Least, observed / expected); // a cut waits until the traffic stops climbing
        }
        else if (expected - observed > (spec.Behavior.ScaleDown.Tolerance ?? spec.Tolerance) * demand)
        {
            return null; // less came so far, and it is still climbing: not judged yet
        }
        else
        {
            return new Rescale((int)floors[held].Value, 1, observed, expected, levelled); // as expected: the ask stands
        }

        var needed = (Math.Max(0, before) + (factor * expected)) * (1 + signal.Headroom) / metric.Target;
        return new Rescale((int)Math.Min(int.MaxValue, Math.Ceiling(needed - 1e-9)), factor, observed, expected, levelled);
    }

    /// <summary>
    /// The index of the first ask of the rise <paramref name="ask"/> belongs to: asks at most a lead apart are one rise
    /// (each one's window overlaps the one before), and the metric before it has none of the rise's traffic.
    /// </summary>
    public static int RiseStart(IReadOnlyList<MetricPoint> floors, int ask, int leadSeconds)
    {
        var start = ask;
        while (start > 0 && floors[start].Time - floors[start - 1].Time <= TimeSpan.FromSeconds(leadSeconds))
        {
            start--;
        }

        return start;
    }

    /// <summary>
    /// The highest sample from <paramref name="due"/> to <paramref name="now"/> (the recorded ones and this evaluation's
    /// reading, recorded after the decision), when at least <see cref="Scrapes"/> came; <paramref name="levelled"/> when
    /// one of them was no higher than the one before (the traffic stopped climbing).
    /// </summary>
    private static bool Observed(IReadOnlyList<MetricPoint> samples, MetricPoint? latest, DateTimeOffset due, DateTimeOffset now, out double highest, out bool levelled)
    {
        highest = double.MinValue;
        levelled = false;
        var count = 0;
        var previous = double.NaN;
        var newest = DateTimeOffset.MinValue;
        for (var i = 0; i <= samples.Count; i++)
        {
            MetricPoint p;
            if (i < samples.Count)
            {
                p = samples[i];
                newest = p.Time;
            }
            else if (latest is { } l && l.Time > newest)
            {
                p = l;
            }
            else
            {
                break;
            }

            if (p.Time < due || p.Time > now || double.IsNaN(p.Value))
            {
                continue;
            }

            levelled |= count > 0 && p.Value <= previous;
            highest = Math.Max(highest, p.Value);
            previous = p.Value;
            count++;
        }

        return count >= Scrapes;
    }

    /// <summary>This evaluation's reading of the metric, or null when it is not usable.</summary>
    private static MetricPoint? Latest(DecisionInput input, MetricSpec metric) =>
        input.Readings.TryGetValue(metric.Query, out var reading) && reading.IsUsable
            ? new MetricPoint(reading.SampleTime ?? input.Now, reading.Value!.Value)
            : null;

    /// <summary>The sample at <paramref name="time"/> (exact), or the last one at or before it.</summary>
    private static double? ValueAt(IReadOnlyList<MetricPoint> samples, DateTimeOffset time, bool exact)
    {
        for (var i = samples.Count - 1; i >= 0; i--)
        {
            if (samples[i].Time <= time)
            {
                return !exact || samples[i].Time == time ? samples[i].Value : null;
            }
        }

        return null;
    }
}

/// <summary>
/// A held floor judged: its count, the factor (clamped; 1 within tolerance), the excess observed and expected behind it,
/// and whether the traffic stopped climbing (<paramref name="Levelled"/>: the judgement is final enough to learn from).
/// </summary>
internal readonly record struct Rescale(int Replicas, double Factor, double Observed, double Expected, bool Levelled)
{
    /// <summary>Whether the floor moves (the traffic was not within tolerance of what was expected).</summary>
    public bool Changes => Factor != 1;

    /// <summary>
    /// Observed over expected, clamped like the factor but not rounded to 1 within tolerance: what the event teaches.
    /// Learned as x1, a conversion 8% off stayed 8% off, and its floor, inside the band, was never cut.
    /// </summary>
    public double Ratio => Math.Clamp(Observed / Expected, LeadingSignalRescale.Least, LeadingSignalRescale.Most);

    /// <summary>E.g. "rescaled x0.62: +6.2k observed of +10k expected", or "rescaled x2, clamped from x2.4: …".</summary>
    public string Describe()
    {
        var raw = Observed / Expected;
        var clamped = Math.Abs(raw - Factor) > 1e-9 ? string.Create(CultureInfo.InvariantCulture, $", clamped from x{raw:0.##}") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"rescaled x{Factor:0.##}{clamped}: {(Observed < 0 ? "" : "+")}{Quantity.Format(Observed)} observed of +{Quantity.Format(Expected)} expected");
    }
}
