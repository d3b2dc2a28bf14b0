using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>The fitted trend of one metric and where it leads.</summary>
public readonly record struct Trend(double SlopePerSecond, double RSquared, int Samples, double? Predicted, string? Note);

/// <summary>
/// Least-squares slope over the look-back window, projected ahead. Deliberately conservative: it needs a clear
/// rising trend (enough samples, a good fit), switches itself off when the most recent third of the window
/// no longer rises (the trend reversed or flattened), and never predicts more than maxGrowthFactor x the value.
/// Allocation-free: it walks the history backwards by index.
/// </summary>
public static class TrendPredictor
{
    /// <summary>Below this fit quality the "trend" is noise and nothing is predicted.</summary>
    public const double MinRSquared = 0.5;

    public const int MinSamples = 4;

    /// <param name="history">Samples in time order (may or may not already contain <paramref name="latest"/>).</param>
    /// <param name="latest">The reading being decided on.</param>
    /// <param name="horizon">How far past the latest sample to project (look-ahead plus the sample's age).</param>
    public static Trend Fit(IReadOnlyList<MetricPoint> history, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor)
    {
        var from = latest.Time - lookBack;
        var recentFrom = latest.Time - (lookBack / 3);

        // Sums for the whole window and for its most recent third; x is seconds relative to the latest sample.
        double n = 1, sx = 0, sy = latest.Value, sxx = 0, sxy = 0, syy = latest.Value * latest.Value;
        double rn = 1, rsx = 0, rsy = latest.Value, rsxx = 0, rsxy = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var p = history[i];
            if (p.Time >= latest.Time)
            {
                continue; // the latest reading itself, already counted
            }

            if (p.Time < from)
            {
                break;
            }

            var x = (p.Time - latest.Time).TotalSeconds;
            var y = p.Value;
            n++; sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
            if (p.Time >= recentFrom)
            {
                rn++; rsx += x; rsy += y; rsxx += x * x; rsxy += x * y;
            }
        }

        if (n < MinSamples)
        {
            return new Trend(0, 0, (int)n, null, "too few samples for a trend");
        }

        var sxxc = sxx - (sx * sx / n);
        if (sxxc <= 0)
        {
            return new Trend(0, 0, (int)n, null, "too few samples for a trend");
        }

        var slope = (sxy - (sx * sy / n)) / sxxc;
        var syyc = syy - (sy * sy / n);
        var r2 = syyc <= 0 ? 0 : slope * slope * sxxc / syyc;

        if (slope <= 0)
        {
            return new Trend(slope, r2, (int)n, null, null);
        }

        if (r2 < MinRSquared)
        {
            return new Trend(slope, r2, (int)n, null, "trend too noisy");
        }

        var rsxxc = rsxx - (rsx * rsx / rn);
        var recentSlope = rn >= 3 && rsxxc > 0 ? (rsxy - (rsx * rsy / rn)) / rsxxc : slope;
        if (recentSlope <= 0)
        {
            return new Trend(slope, r2, (int)n, null, "trend reversed");
        }

        // Project with the most recent slope: it catches a ramp that is still accelerating and eases off as it flattens.
        var predicted = latest.Value + (recentSlope * horizon.TotalSeconds);
        var cap = latest.Value * maxGrowthFactor;
        return new Trend(slope, r2, (int)n, Math.Min(predicted, cap), predicted > cap ? "capped by maxGrowthFactor" : null);
    }
}
