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
/// Allocation-free: stack buffers, O(window).
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
    private const int MaxPoints = 48;
    private const double NoiseWindowSeconds = 600;
    private const double MinNoise = 0.01;

    /// <param name="history">Samples in time order (may or may not already contain <paramref name="latest"/>).</param>
    /// <param name="latest">The reading being decided on.</param>
    /// <param name="horizon">How far past the latest sample to project (look-ahead plus the sample's age).</param>
    public static Trend Fit(IReadOnlyList<MetricPoint> history, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor)
    {
        Span<double> x = stackalloc double[MaxPoints];
        Span<double> y = stackalloc double[MaxPoints];
        var n = Collect(history, latest, x, y);
        var noise = Noise(y[..n]);
        return Judge(x[..n], y[..n], latest, lookBack, horizon, maxGrowthFactor, noise) with { Headroom = Headroom(x[..n], y[..n], horizon.TotalSeconds), Swing = Max(y[..n]) - Min(y[..n]) };
    }

    private static Trend Judge(Span<double> x, Span<double> y, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor, double noise)
    {
        var n = x.Length;

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
        if (LevelShift(y[..window], line, noise, out var jump))
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
        var beyondRange = Math.Log(Math.Min(predicted, cap)) > Max(y);
        return new Trend(slope, line.T, window, Math.Min(predicted, cap), predicted > cap ? "capped by maxGrowthFactor" : null, noise, Rising: true, BeyondRange: beyondRange);
    }

    /// <summary>Distinct observations newest first: x in seconds before the latest (≤ 0), y = ln(value).</summary>
    private static int Collect(IReadOnlyList<MetricPoint> history, MetricPoint latest, Span<double> x, Span<double> y)
    {
        // The history's own series carries each sample's logarithm; any other list has them computed here.
        var logged = history is SampleSeries series ? series.Entries : default;
        var n = 0;
        var runValue = latest.Value;
        var runLog = LogOf(latest.Value);
        var runTime = latest.Time;
        for (var i = history.Count - 1; i >= 0 && n < x.Length - 1; i--)
        {
            var p = logged.IsEmpty ? history[i] : logged[i].Point;
            if (p.Time > latest.Time || (latest.Time - p.Time).TotalSeconds > NoiseWindowSeconds)
            {
                if (p.Time > latest.Time)
                {
                    continue;
                }

                break;
            }

            if (p.Value == runValue)
            {
                runTime = p.Time; // the same scrape read again: the observation dates from its first reading
                continue;
            }

            Add(ref n, x, y, runTime, runLog, latest.Time);
            runValue = p.Value;
            runLog = logged.IsEmpty ? LogOf(p.Value) : logged[i].Log;
            runTime = p.Time;
        }

        Add(ref n, x, y, runTime, runLog, latest.Time);
        return n;
    }

    /// <summary>The series is fitted in log space (noise is then scale-free); a value of 0 or less counts as a tiny one.</summary>
    internal static double LogOf(double value) => Math.Log(Math.Max(value, 1e-9));

    private static void Add(ref int n, Span<double> x, Span<double> y, DateTimeOffset time, double log, DateTimeOffset latest)
    {
        x[n] = (time - latest).TotalSeconds;
        y[n] = log;
        n++;
    }

    /// <summary>
    /// Headroom from forecast error (as AHPA sizes by a forecast quantile): the <see cref="HeadroomQuantile"/> of
    /// how much the series rose over one horizon, ln y(t + h) − ln y(t), over the last 10 minutes, as a share,
    /// clamped to [0, <see cref="MaxHeadroom"/>]. The naive forecast "stays where it is" errs by exactly that rise.
    /// </summary>
    private static double Headroom(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double horizonSeconds)
    {
        Span<double> rises = stackalloc double[MaxPoints];
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

        var q = OrderStatistic.Select(rises[..count], Math.Min(count - 1, (int)Math.Ceiling(HeadroomQuantile * count) - 1));
        return Math.Clamp(Math.Exp(q) - 1, 0, MaxHeadroom);
    }

    private static double Min(ReadOnlySpan<double> y)
    {
        var min = double.PositiveInfinity;
        foreach (var v in y)
        {
            min = Math.Min(min, v);
        }

        return min;
    }

    private static double Max(ReadOnlySpan<double> y)
    {
        var max = double.NegativeInfinity;
        foreach (var v in y)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>Robust scatter of one observation: 1.4826 × median |Δy| / √2, at least 1 %.</summary>
    private static double Noise(ReadOnlySpan<double> y)
    {
        if (y.Length < 3)
        {
            return MinNoise;
        }

        Span<double> changes = stackalloc double[MaxPoints];
        var count = y.Length - 1;
        for (var i = 0; i < count; i++)
        {
            changes[i] = Math.Abs(y[i] - y[i + 1]);
        }

        var values = changes[..count];
        var median = count % 2 == 1
            ? OrderStatistic.Select(values, count / 2)
            : (OrderStatistic.Select(values, (count / 2) - 1) + OrderStatistic.Select(values, count / 2)) / 2;
        return Math.Max(MinNoise, 1.4826 * median / Math.Sqrt(2));
    }

    /// <summary>
    /// Two flat levels fit much better than the line, and they differ by more than the noise. One observation
    /// between the levels is left out: through a rate() window a step arrives as one half-way sample.
    /// </summary>
    private static bool LevelShift(ReadOnlySpan<double> y, Line line, double noise, out double jump)
    {
        var n = y.Length;
        Span<double> sums = stackalloc double[n + 1];
        Span<double> squares = stackalloc double[n + 1];
        for (var i = 0; i < n; i++)
        {
            sums[i + 1] = sums[i] + y[i];
            squares[i + 1] = squares[i] + (y[i] * y[i]);
        }

        // The sum of squared errors of a split is newSse(j) + oldSquares(k) − oldMean(k), k = j + gap; each term is
        // made once per index (not per split and gap), with the same operations in the same order as the whole sum.
        Span<double> newSse = stackalloc double[n];
        Span<double> oldSquares = stackalloc double[n];
        Span<double> oldMean = stackalloc double[n];
        for (var i = 1; i < n; i++)
        {
            newSse[i] = squares[i] - (sums[i] * sums[i] / i);
            var oldSum = sums[n] - sums[i];
            oldSquares[i] = squares[n] - squares[i];
            oldMean[i] = oldSum * oldSum / (n - i);
        }

        // Newest first: the new level is y[0..j), then `gap` transition observations, then the old level.
        var best = double.MaxValue;
        int bestJ = 0, bestK = 0;
        for (var gap = 0; gap <= 1; gap++)
        {
            for (var j = 1; j + gap < n; j++)
            {
                var k = j + gap;
                var sse = newSse[j] + oldSquares[k] - oldMean[k];
                if (sse < best)
                {
                    best = sse;
                    bestJ = j;
                    bestK = k;
                }
            }
        }

        jump = bestJ == 0 ? 0 : (sums[bestJ] / bestJ) - ((sums[n] - sums[bestK]) / (n - bestK));
        return best < StepVersusLine * line.Sse && Math.Abs(jump) > 3 * noise;
    }

    /// <summary>Least squares of y on x with its residual sum of squares and the slope's t statistic.</summary>
    private readonly record struct Line(double Slope, double Intercept, double Sse, double T)
    {
        public static Line Fit(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
        {
            var n = x.Length;
            double sx = 0, sy = 0;
            for (var i = 0; i < n; i++)
            {
                sx += x[i];
                sy += y[i];
            }

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
