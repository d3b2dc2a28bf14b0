using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Decisions;

/// <summary>
/// What the recent series says. <paramref name="Noise"/> is the typical change between two observations in log
/// units (0.05 = 5 %); <paramref name="TStatistic"/> the slope's significance against the scatter around the fit;
/// <paramref name="Predicted"/> is set only for a significant rise that is not a level shift.
/// </summary>
/// <paramref name="Headroom"/> is the share to size above the need when scaling up: how far the series has risen over
/// the horizon in the past (a quantile of the naive forecast's error), so a calm series carries little.
/// <paramref name="Rising"/>: the series is still going up (a significant rise, or a shift up within the window).
/// <paramref name="BeyondRange"/>: the prediction goes past the highest observation of the last 10 minutes (a new
/// high, as on a ramp), not back up into the range a swinging series has already visited.
/// <paramref name="Swing"/>: the range of the last 10 minutes' observations in log units (ln 2 = a doubling).
public readonly record struct Trend(double SlopePerSecond, double TStatistic, int Samples, double? Predicted, string? Note, double Noise = 0, double Headroom = 0, bool Rising = false, bool BeyondRange = false, double Swing = 0);

/// <summary>
/// Tells a trend from noise and a step from a trend, in log space (noise is then scale-free), on the distinct
/// observations of the look-back window (a 5 s loop re-reads each scrape; repeats are one observation):
/// <list type="bullet">
/// <item>noise: a robust per-observation scatter, the median absolute change over the last 10 minutes;</item>
/// <item>step vs line: when two flat levels fit the window much better than a line, the series shifted level; a
/// shift is sized as the new level by the measured path, never extrapolated as a slope;</item>
/// <item>slope t-test: a rise counts only when t ≥ <see cref="MinTStatistic"/> now and one observation ago;</item>
/// <item>damped projection: the log slope is carried over the horizon with damping φ per observation, so a long
/// horizon never multiplies a short burst.</item>
/// </list>
/// Allocation-free (buffers reused per thread, <see cref="TrendObservations"/>), O(window).
/// </summary>
public static class TrendPredictor
{
    public const double MinTStatistic = 3;

    public const int MinSamples = 5;

    /// <summary>The fitted rise over the window must exceed this many noise units (≈ p 0.0001 for pure noise over 8 observations).</summary>
    public const double MinRiseInNoise = 4;

    /// <summary>The tests look at no fewer observations than this (two minutes at a 15 s scrape) when history has them.</summary>
    public const int MinWindow = 8;

    /// <summary>Damping of the projected slope per 15 s (damped Holt): 60 s ahead carries 3.1 of 4 slope-steps, never more than 9.</summary>
    public const double Damping = 0.9;

    /// <summary>Two levels explain the window this much better than a line: a level shift.</summary>
    public const double StepVersusLine = 0.5;

    /// <summary>Quantile of past rises over the horizon that the headroom covers.</summary>
    public const double HeadroomQuantile = 0.9;

    /// <summary>Headroom never exceeds this share (keeps the peak within ~1.3x the peak demand with the growth cap).</summary>
    public const double MaxHeadroom = 0.2;

    private const int MinHeadroomPairs = 8;
    private const double MinNoise = 0.01;

    /// <param name="history">Samples in time order (may or may not already contain <paramref name="latest"/>).</param>
    /// <param name="latest">The reading being decided on.</param>
    /// <param name="horizon">How far past the latest sample to project (look-ahead plus the sample's age).</param>
    public static Trend Fit(IReadOnlyList<MetricPoint> history, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor)
    {
        var o = TrendObservations.Collect(history, latest);
        var noise = Noise(o, history as SampleSeries);
        return Judge(o, latest, lookBack, horizon, maxGrowthFactor, noise) with { Headroom = Headroom(o, horizon.TotalSeconds), Swing = o.Max - o.Min };
    }

    private static Trend Judge(TrendObservations o, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor, double noise)
    {
        var n = o.Count;
        var x = o.X.AsSpan(0, n);
        var y = o.Y.AsSpan(0, n);

        // The look-back window, but at least MinWindow observations: tests on fewer have too little power.
        var window = 0;
        while (window < n && (-x[window] <= lookBack.TotalSeconds || window < MinWindow))
        {
            window++;
        }

        if (window < MinSamples || latest.Value <= 0)
        {
            return new Trend(0, 0, window, null, "too few samples for a trend", noise);
        }

        var line = Line.Fit(x[..window], y[..window]);
        var slope = line.Slope * latest.Value;
        if (LevelShift(y[..window], o.Sums, o.Squares, line, noise, out var jump))
        {
            return new Trend(slope, line.T, window, null, "level shift: sized as the new level, not extrapolated", noise, Rising: jump > 0);
        }

        if (line.Slope <= 0)
        {
            return new Trend(slope, line.T, window, null, null, noise);
        }

        // Significant now and one observation ago, so one lucky sample cannot trigger a scale-up.
        var before = Line.Fit(x[1..window], y[1..window]);
        // ... and rising more over the window than the series' own scatter.
        if (line.T < MinTStatistic || before.T < MinTStatistic || before.Slope <= 0 || line.Slope * -x[window - 1] < MinRiseInNoise * noise)
        {
            return new Trend(slope, line.T, window, null, "trend not significant against the noise", noise);
        }

        // The newest observation fell well below the fit: the rise is over.
        if (y[0] < line.Intercept - (2 * noise))
        {
            return new Trend(slope, line.T, window, null, "trend reversed", noise);
        }

        // Damping is stated per 15 s (a common scrape interval); genuine 5 s samples damp by its cube root per sample.
        var spacing = -x[window - 1] / (window - 1);
        var phi = Math.Pow(Damping, spacing / 15);
        var steps = horizon.TotalSeconds / spacing;
        var increment = line.Slope * spacing * phi * (1 - Math.Pow(phi, steps)) / (1 - phi);
        var predicted = latest.Value * Math.Exp(increment);
        var cap = latest.Value * maxGrowthFactor;
        var beyondRange = Math.Log(Math.Min(predicted, cap)) > o.Max;
        return new Trend(slope, line.T, window, Math.Min(predicted, cap), predicted > cap ? "capped by maxGrowthFactor" : null, noise, Rising: true, BeyondRange: beyondRange);
    }

    /// <summary>The series is fitted in log space (noise is then scale-free); a value of 0 or less counts as a tiny one.</summary>
    internal static double LogOf(double value) => Math.Log(Math.Max(value, 1e-9));

    /// <summary>
    /// Headroom from forecast error (as AHPA sizes by a forecast quantile): the <see cref="HeadroomQuantile"/> of
    /// how much the series rose over one horizon, ln y(t + h) − ln y(t), over the last 10 minutes, as a share,
    /// clamped to [0, <see cref="MaxHeadroom"/>]. The naive forecast "stays where it is" errs by exactly that rise.
    /// </summary>
    private static double Headroom(TrendObservations o, double horizonSeconds)
    {
        var x = o.X.AsSpan(0, o.Count);
        var y = o.Y.AsSpan(0, o.Count);
        var rises = o.Rises.AsSpan();
        var count = 0;
        var older = 0;
        for (var i = 0; i < x.Length; i++)
        {
            // Rises that ended within the last horizon are what is being sized now (and a fresh level shift would
            // otherwise ratchet the headroom up at once): only past rises count.
            if (x[i] > -horizonSeconds)
            {
                continue;
            }

            // x is newest first (≤ 0): the first observation at least one horizon older than observation i.
            older = Math.Max(older, i + 1);
            while (older < x.Length && x[older] > x[i] - horizonSeconds)
            {
                older++;
            }

            if (older >= x.Length)
            {
                break;
            }

            rises[count++] = y[i] - y[older];
        }

        if (count < MinHeadroomPairs)
        {
            return 0;
        }

        var q = OrderStatistic.SelectNearTop(rises[..count], Math.Min(count - 1, (int)Math.Ceiling(HeadroomQuantile * count) - 1));
        return Math.Clamp(Math.Exp(q) - 1, 0, MaxHeadroom);
    }

    /// <summary>Robust scatter of one observation: 1.4826 × median |Δy| / √2, at least 1 %.</summary>
    private static double Noise(TrendObservations o, SampleSeries? series)
    {
        if (o.Count < 3)
        {
            return MinNoise;
        }

        // The changes between neighbours were taken while collecting. The history's series keeps them sorted from
        // its last evaluation (finite ones only: a NaN has no place in a sorted copy); otherwise the median by
        // selection, the lower middle of an even count as the largest value left below the upper one.
        var count = o.Count - 1;
        var values = o.Changes.AsSpan(0, count);
        double median;
        if (series is not null && double.IsFinite(o.Max) && double.IsFinite(o.Min))
        {
            var memo = series.TakeNoise();
            median = memo.Median(values);
            series.ReturnNoise(memo);
        }
        else
        {
            var upper = OrderStatistic.Select(values, count / 2);
            median = count % 2 == 1 ? upper : (OrderStatistic.LargestBefore(values, count / 2) + upper) / 2;
        }

        return Math.Max(MinNoise, 1.4826 * median / Math.Sqrt(2));
    }

    /// <summary>
    /// Two flat levels fit much better than the line, and they differ by more than the noise. One observation
    /// between the levels is left out: through a rate() window a step arrives as one half-way sample.
    /// </summary>
    private static bool LevelShift(ReadOnlySpan<double> y, Span<double> sums, Span<double> squares, Line line, double noise, out double jump)
    {
        var n = y.Length;
        jump = 0;
        double sum = 0, square = 0, highest = double.NegativeInfinity, lowest = double.PositiveInfinity;
        sums[0] = 0;
        squares[0] = 0;
        for (var i = 0; i < n; i++)
        {
            sum += y[i];
            square += y[i] * y[i];
            sums[i + 1] = sum;
            squares[i + 1] = square;
            highest = y[i] > highest ? y[i] : highest;
            lowest = y[i] < lowest ? y[i] : lowest;
        }

        // Two levels' means lie within the window's range, so no jump can exceed it (the margin covers rounding, which
        // is below 1e-12 of the values): a window that never moved more than the noise test asks holds no shift. (A
        // NaN is skipped by the range, but it makes the sums and the line NaN, and the test false all the same.)
        if (highest - lowest + (1e-9 * (1 + Math.Max(Math.Abs(highest), Math.Abs(lowest)))) <= 3 * noise)
        {
            return false;
        }

        // Newest first: the new level is y[0..j), then `gap` (0 or 1) transition observations, then the old level
        // y[k..n), k = j + gap. A split's squared error is newSse(j) + oldSquares(k) − oldMean(k); one pass makes each
        // term once per index and tries both gaps, keeping per gap the first split with the least error, so the
        // result is the one the search gap by gap, split by split finds.
        double best0 = double.MaxValue, best1 = double.MaxValue, previousNewSse = 0;
        int j0 = 0, j1 = 0;
        for (var i = 1; i < n; i++)
        {
            var newSse = squares[i] - (sums[i] * sums[i] / i);
            var oldSum = sum - sums[i];
            var oldSquares = square - squares[i];
            var oldMean = oldSum * oldSum / (n - i);
            var sse = newSse + oldSquares - oldMean; // gap 0: j = k = i
            if (sse < best0)
            {
                best0 = sse;
                j0 = i;
            }

            if (i >= 2)
            {
                var skipped = previousNewSse + oldSquares - oldMean; // gap 1: j = i − 1, k = i
                if (skipped < best1)
                {
                    best1 = skipped;
                    j1 = i - 1;
                }
            }

            previousNewSse = newSse;
        }

        var (best, bestJ, bestK) = best1 < best0 ? (best1, j1, j1 + 1) : (best0, j0, j0);
        jump = bestJ == 0 ? 0 : (sums[bestJ] / bestJ) - ((sum - sums[bestK]) / (n - bestK));
        return best < StepVersusLine * line.Sse && Math.Abs(jump) > 3 * noise;
    }

    /// <summary>Least squares of y on x with its residual sum of squares and the slope's t statistic.</summary>
    private readonly record struct Line(double Slope, double Intercept, double Sse, double T)
    {
        public static Line Fit(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            double sx = 0, sy = 0;
            for (var i = 0; i < x.Length; i++)
            {
                sx += x[i];
                sy += y[i];
            }

            return FromSums(x, y, sx, sy);
        }

        private static Line FromSums(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double sx, double sy)
        {
            var n = x.Length;
            double mx = sx / n, my = sy / n, sxx = 0, sxy = 0, syy = 0;
            for (var i = 0; i < n; i++)
            {
                var dx = x[i] - mx;
                var dy = y[i] - my;
                sxx += dx * dx;
                sxy += dx * dy;
                syy += dy * dy;
            }

            if (sxx <= 0 || n < 3)
            {
                return new Line(0, my, syy, 0);
            }

            var slope = sxy / sxx;
            var sse = Math.Max(0, syy - (slope * sxy));
            var se = Math.Sqrt(sse / (n - 2) / sxx);
            var t = se > 0 ? slope / se : slope > 0 ? double.PositiveInfinity : slope < 0 ? double.NegativeInfinity : 0;
            return new Line(slope, my - (slope * mx), sse, t);
        }
    }
}
