using System.Numerics;
using System.Runtime.Intrinsics;
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
        var window = Math.Min(n, Math.Max(CountWithin(x, -lookBack.TotalSeconds), MinWindow));

        if (window < MinSamples || latest.Value <= 0)
        {
            return new Trend(0, 0, window, null, "too few samples for a trend", noise);
        }

        var sums = TrendWindow.Of(x[..window], y[..window]);
        var line = sums.Line(window);
        var slope = line.Slope * latest.Value;
        if (LevelShift(o, window, line, noise, out var jump))
        {
            return new Trend(slope, line.T, window, null, "level shift: sized as the new level, not extrapolated", noise, Rising: jump > 0);
        }

        if (line.Slope <= 0)
        {
            return new Trend(slope, line.T, window, null, null, noise);
        }

        // Significant now and one observation ago, so one lucky sample cannot trigger a scale-up.
        var before = sums.Line(window - 1);
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
        var n = o.Count;
        var x = o.X.AsSpan(0, n);
        var y = o.Y.AsSpan(0, n);
        var rises = o.Rises.AsSpan(0, n);

        // Rises that ended within the last horizon are what is being sized now (and a fresh level shift would
        // otherwise ratchet the headroom up at once): only past rises count, from the first observation at least one
        // horizon old (x is newest first and never increases).
        var i = 0;
        while (i < n && x[i] > -horizonSeconds)
        {
            i++;
        }

        var count = 0;
        var older = i + 1;
        for (; i < n; i++)
        {
            // The first observation at least one horizon older than observation i.
            var from = x[i] - horizonSeconds;
            older = Math.Max(older, i + 1);
            while (older < n && x[older] > from)
            {
                older++;
            }

            if (older >= n)
            {
                break;
            }

            rises[count++] = y[i] - y[older];
        }

        if (count < MinHeadroomPairs)
        {
            return 0;
        }

        // Finite observations (the usual case) make finite rises, which order by < alone.
        var k = Math.Min(count - 1, (int)Math.Ceiling(HeadroomQuantile * count) - 1);
        var q = double.IsFinite(o.Max) && double.IsFinite(o.Min) ? OrderStatistic.SelectNearTopFinite(rises[..count], k) : OrderStatistic.SelectNearTop(rises[..count], k);
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
    /// between the levels is left out: through a rate() window a step arrives as one half-way sample. The prefix
    /// sums are of v = y − y[0] (small numbers; the levels' errors and their difference do not depend on the origin).
    /// </summary>
    private static bool LevelShift(TrendObservations o, int n, TrendLine line, double noise, out double jump)
    {
        jump = 0;

        // Two levels' means lie within the window's range, so no jump can exceed it: a window that never moved more
        // than the noise test asks holds no shift. The range of all observations bounds the window's and is known
        // already; the window's own is taken only when that does not settle it. (A NaN makes the sums and the line
        // NaN, and the test false, whichever way the range goes.)
        if (WithinNoise(o.Max, o.Min, noise))
        {
            return false;
        }

        var y = o.Y.AsSpan(0, n);
        var sums = o.Sums.AsSpan(0, n + 1);
        var squares = o.Squares.AsSpan(0, n + 1);
        var y0 = y[0];
        double sum = 0, square = 0, highest = double.NegativeInfinity, lowest = double.PositiveInfinity;
        sums[0] = 0;
        squares[0] = 0;
        for (var i = 0; i < n; i++)
        {
            var v = y[i] - y0;
            sum += v;
            square += v * v;
            sums[i + 1] = sum;
            squares[i + 1] = square;
            highest = v > highest ? v : highest;
            lowest = v < lowest ? v : lowest;
        }

        if (WithinNoise(highest, lowest, noise))
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

    /// <summary>A range no wider than three noise units (the margin covers rounding, below 1e-12 of the values).</summary>
    private static bool WithinNoise(double highest, double lowest, double noise) =>
        highest - lowest + (1e-9 * (1 + Math.Max(Math.Abs(highest), Math.Abs(lowest)))) <= 3 * noise;

    /// <summary>
    /// How many of <paramref name="x"/> are at or after <paramref name="from"/>: x never increases, so they are its
    /// first ones. Counted four at a time, without a branch on each (the scan's exit was a mispredicted branch).
    /// </summary>
    private static int CountWithin(ReadOnlySpan<double> x, double from)
    {
        var bound = Vector256.Create(from);
        var count = 0;
        var i = 0;
        for (; i + 4 <= x.Length; i += 4)
        {
            count += BitOperations.PopCount(Vector256.GreaterThanOrEqual(Vector256.Create(x[i..]), bound).ExtractMostSignificantBits());
        }

        for (; i < x.Length; i++)
        {
            count += x[i] >= from ? 1 : 0;
        }

        return count;
    }
}
