namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// Evaluates a <see cref="SandboxQuery"/> over the simulated counters with Prometheus' semantics: one value per
/// matching series, sums collapse them to one (or none when nothing matches), histogram_quantile interpolates
/// linearly inside the bucket as Prometheus does.
/// </summary>
internal static class SandboxQueryEvaluator
{
    public static IReadOnlyList<double> Evaluate(SandboxQuery query, TrafficSimulator.TrafficHistory history, DateTimeOffset time) => query switch
    {
        SandboxQuery.Rate rate => EvaluateRate(rate, history, time),
        SandboxQuery.Quantile quantile => EvaluateQuantile(quantile, history, time),
        SandboxQuery.Ratio ratio => EvaluateRatio(ratio, history, time),
        _ => throw new ArgumentOutOfRangeException(nameof(query), query, "unknown query shape"),
    };

    private static IReadOnlyList<double> EvaluateRate(SandboxQuery.Rate rate, TrafficSimulator.TrafficHistory history, DateTimeOffset time)
    {
        var perService = Rates(rate.Matchers, rate.Range, history, time).Select(r => r[rate.Counter]).ToArray();
        return !rate.Summed ? perService : perService.Length == 0 ? [] : [perService.Sum()];
    }

    private static IReadOnlyList<double> EvaluateRatio(SandboxQuery.Ratio ratio, TrafficSimulator.TrafficHistory history, DateTimeOffset time)
    {
        var (numerator, denominator) = (EvaluateRate(ratio.Numerator, history, time), EvaluateRate(ratio.Denominator, history, time));
        return numerator is [var n] && denominator is [var d] ? [n / d] : [];
    }

    private static IReadOnlyList<double> EvaluateQuantile(SandboxQuery.Quantile quantile, TrafficSimulator.TrafficHistory history, DateTimeOffset time)
    {
        var rates = Rates(quantile.Matchers, quantile.Range, history, time).ToArray();
        if (rates.Length == 0)
            return [];

        var bounds = TrafficCounters.BucketBounds;
        var buckets = new double[bounds.Length + 1];
        foreach (var rate in rates)
        {
            for (var i = 0; i < buckets.Length; i++)
                buckets[i] += rate[TrafficCounters.FirstBucket + i];
        }

        return [HistogramQuantile(quantile.Phi, bounds, buckets)];
    }

    /// <summary>Prometheus' bucketQuantile for cumulative bucket rates whose last entry is +Inf.</summary>
    internal static double HistogramQuantile(double phi, double[] bounds, double[] cumulative)
    {
        var total = cumulative[^1];
        if (total == 0)
            return double.NaN;

        var rank = phi * total;
        var index = Array.FindIndex(cumulative, c => c >= rank);
        if (index == bounds.Length)
            return bounds[^1]; // falls in the +Inf bucket: the highest finite bound, as Prometheus answers
        var lower = index == 0 ? 0 : bounds[index - 1];
        var below = index == 0 ? 0 : cumulative[index - 1];
        var inBucket = cumulative[index] - below;
        return inBucket == 0 ? bounds[index] : lower + (bounds[index] - lower) * (rank - below) / inBucket;
    }

    /// <summary>Per-second increase of every counter over the window ending at <paramref name="time"/>, per matching service.</summary>
    private static IEnumerable<double[]> Rates(SandboxQuery.LabelMatchers matchers, TimeSpan range, TrafficSimulator.TrafficHistory history, DateTimeOffset time)
    {
        var from = time - range < history.Oldest ? history.Oldest : time - range;
        var seconds = (time - from).TotalSeconds;
        if (seconds <= 0)
            yield break;

        foreach (var service in history.Services)
        {
            if (!matchers.Match(service) || history.TotalsAt(service, time) is not { } end || history.TotalsAt(service, from) is not { } begin)
                continue;
            var rate = new double[end.Length];
            for (var i = 0; i < rate.Length; i++)
                rate[i] = (end[i] - begin[i]) / seconds;
            yield return rate;
        }
    }
}
