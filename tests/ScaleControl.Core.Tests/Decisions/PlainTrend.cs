using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// The trend's rules written the plain way (lists, sorting, every split's error summed on its own), as the oracle for
/// <see cref="TrendPredictor"/>'s lean hot path: the same floating-point operations in the same order, so the two
/// must agree bit for bit. Slow on purpose; tests only.
/// </summary>
internal static class PlainTrend
{
    public static Trend Fit(IReadOnlyList<MetricPoint> history, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor)
    {
        var (x, y) = Observations(history, latest);
        var noise = Noise(y);
        var trend = Judge(x, y, latest, lookBack, horizon, maxGrowthFactor, noise);
        return trend with { Headroom = Headroom(x, y, horizon.TotalSeconds), Swing = y.Aggregate(double.NegativeInfinity, Math.Max) - y.Aggregate(double.PositiveInfinity, Math.Min) };
    }

    /// <summary>Distinct observations newest first (a repeated value is one observation, dated from its first reading), at most 48, within 600 s.</summary>
    private static (double[] X, double[] Y) Observations(IReadOnlyList<MetricPoint> history, MetricPoint latest)
    {
        var runs = new List<(DateTimeOffset Time, double Value)> { (latest.Time, latest.Value) };
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var p = history[i];
            if (p.Time > latest.Time)
            {
                continue;
            }

            if ((latest.Time - p.Time).TotalSeconds > 600)
            {
                break;
            }

            if (p.Value == runs[^1].Value)
            {
                runs[^1] = (p.Time, p.Value);
                continue;
            }

            if (runs.Count == 47)
            {
                // The 48th observation is the first reading met of its run: the scan stops there.
                runs.Add((p.Time, p.Value));
                break;
            }

            runs.Add((p.Time, p.Value));
        }

        return (
            [.. runs.Select(r => (r.Time - latest.Time).TotalSeconds)],
            [.. runs.Select(r => Math.Log(Math.Max(r.Value, 1e-9)))]);
    }

    private static double Noise(double[] y)
    {
        if (y.Length < 3)
        {
            return 0.01;
        }

        var changes = y.Zip(y.Skip(1), (a, b) => Math.Abs(a - b)).Order().ToArray();
        var count = changes.Length;
        var median = count % 2 == 1 ? changes[count / 2] : (changes[(count / 2) - 1] + changes[count / 2]) / 2;
        return Math.Max(0.01, 1.4826 * median / Math.Sqrt(2));
    }

    private static Trend Judge(double[] allX, double[] allY, MetricPoint latest, TimeSpan lookBack, TimeSpan horizon, double maxGrowthFactor, double noise)
    {
        var window = 0;
        while (window < allX.Length && (-allX[window] <= lookBack.TotalSeconds || window < TrendPredictor.MinWindow))
        {
            window++;
        }

        if (window < TrendPredictor.MinSamples || latest.Value <= 0)
        {
            return new Trend(0, 0, window, null, "too few samples for a trend", noise);
        }

        var x = allX[..window];
        var y = allY[..window];
        var line = Line(x, y);
        var slope = line.Slope * latest.Value;
        var (shiftSse, jump) = BestTwoLevels(y);
        if (shiftSse < TrendPredictor.StepVersusLine * line.Sse && Math.Abs(jump) > 3 * noise)
        {
            return new Trend(slope, line.T, window, null, "level shift: sized as the new level, not extrapolated", noise, Rising: jump > 0);
        }

        if (line.Slope <= 0)
        {
            return new Trend(slope, line.T, window, null, null, noise);
        }

        var before = Line(x[1..], y[1..]);
        if (line.T < TrendPredictor.MinTStatistic || before.T < TrendPredictor.MinTStatistic || before.Slope <= 0 || line.Slope * -x[^1] < TrendPredictor.MinRiseInNoise * noise)
        {
            return new Trend(slope, line.T, window, null, "trend not significant against the noise", noise);
        }

        if (y[0] < line.Intercept - (2 * noise))
        {
            return new Trend(slope, line.T, window, null, "trend reversed", noise);
        }

        var spacing = -x[^1] / (window - 1);
        var phi = Math.Pow(TrendPredictor.Damping, spacing / 15);
        var steps = horizon.TotalSeconds / spacing;
        var increment = line.Slope * spacing * phi * (1 - Math.Pow(phi, steps)) / (1 - phi);
        var predicted = latest.Value * Math.Exp(increment);
        var cap = latest.Value * maxGrowthFactor;
        var beyondRange = Math.Log(Math.Min(predicted, cap)) > allY.Aggregate(double.NegativeInfinity, Math.Max);
        return new Trend(slope, line.T, window, Math.Min(predicted, cap), predicted > cap ? "capped by maxGrowthFactor" : null, noise, Rising: true, BeyondRange: beyondRange);
    }

    /// <summary>The best split into a new level y[0..j), a gap of 0 or 1 observations, and an old level y[k..n): its squared error and the jump.</summary>
    private static (double Sse, double Jump) BestTwoLevels(double[] y)
    {
        var n = y.Length;
        var sums = new double[n + 1];
        var squares = new double[n + 1];
        for (var i = 0; i < n; i++)
        {
            sums[i + 1] = sums[i] + y[i];
            squares[i + 1] = squares[i] + (y[i] * y[i]);
        }

        var best = double.MaxValue;
        int bestJ = 0, bestK = 0;
        for (var gap = 0; gap <= 1; gap++)
        {
            for (var j = 1; j + gap < n; j++)
            {
                var k = j + gap;
                var newLevel = squares[j] - (sums[j] * sums[j] / j);
                var oldSum = sums[n] - sums[k];
                var sse = newLevel + (squares[n] - squares[k]) - (oldSum * oldSum / (n - k));
                if (sse < best)
                {
                    (best, bestJ, bestK) = (sse, j, k);
                }
            }
        }

        var jump = bestJ == 0 ? 0 : (sums[bestJ] / bestJ) - ((sums[n] - sums[bestK]) / (n - bestK));
        return (best, jump);
    }

    private static double Headroom(double[] x, double[] y, double horizonSeconds)
    {
        var rises = new List<double>();
        for (var i = 0; i < x.Length; i++)
        {
            if (x[i] > -horizonSeconds)
            {
                continue;
            }

            var older = Array.FindIndex(x, i + 1, v => v <= x[i] - horizonSeconds);
            if (older < 0)
            {
                break;
            }

            rises.Add(y[i] - y[older]);
        }

        if (rises.Count < 8)
        {
            return 0;
        }

        rises.Sort();
        var q = rises[Math.Min(rises.Count - 1, (int)Math.Ceiling(TrendPredictor.HeadroomQuantile * rises.Count) - 1)];
        return Math.Clamp(Math.Exp(q) - 1, 0, TrendPredictor.MaxHeadroom);
    }

    private readonly record struct Fitted(double Slope, double Intercept, double Sse, double T);

    private static Fitted Line(double[] x, double[] y)
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
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
            syy += (y[i] - my) * (y[i] - my);
        }

        if (sxx <= 0 || n < 3)
        {
            return new Fitted(0, my, syy, 0);
        }

        var slope = sxy / sxx;
        var sse = Math.Max(0, syy - (slope * sxy));
        var se = Math.Sqrt(sse / (n - 2) / sxx);
        var t = se > 0 ? slope / se : slope > 0 ? double.PositiveInfinity : slope < 0 ? double.NegativeInfinity : 0;
        return new Fitted(slope, my - (slope * mx), sse, t);
    }
}
