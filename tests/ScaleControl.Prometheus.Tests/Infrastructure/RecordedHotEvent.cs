using System.Globalization;
using System.Text;

namespace ScaleControl.Prometheus.Tests.Infrastructure;

/// <summary>
/// A recorded hot event on shop/checkout-api, sampled every 10 s for an hour from 2025-01-01T00:00Z:
/// 100 QPS, a 5-minute ramp to 400 QPS from minute 20, a 10-minute hold, a 10-minute decay back to 100.
/// shop/search-api runs a steady 20 QPS beside it. Written as OpenMetrics for promtool's backfill; the
/// expected PromQL answers are computed from the same curve.
/// </summary>
internal static class RecordedHotEvent
{
    public const int StepSeconds = 10;
    public const int DurationSeconds = 3600;
    public const string Checkout = """http_requests_total{namespace="shop",workload="checkout-api"}""";
    public const string Search = """http_requests_total{namespace="shop",workload="search-api"}""";

    public static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static double CheckoutQps(int second) => second switch
    {
        < 1200 => 100,
        < 1500 => 100 + 300.0 * (second - 1200) / 300,
        < 2100 => 400,
        < 2700 => 400 - 300.0 * (second - 2100) / 600,
        _ => 100,
    };

    public static double SearchQps(int second) => 20;

    /// <summary>Counter value at a sample time (a multiple of <see cref="StepSeconds"/>), by the trapezoid rule (exact for a piecewise-linear rate).</summary>
    public static double Counter(Func<int, double> qps, int second)
    {
        var total = 0.0;
        for (var t = 0; t < second; t += StepSeconds)
            total += (qps(t) + qps(t + StepSeconds)) / 2 * StepSeconds;
        return total;
    }

    /// <summary>What <c>rate(counter[window])</c> answers at a sample-aligned time with the whole window in the data.</summary>
    public static double Rate(Func<int, double> qps, int second, int windowSeconds) =>
        (Counter(qps, second) - Counter(qps, second - windowSeconds)) / windowSeconds;

    public static string ToOpenMetrics()
    {
        var text = new StringBuilder();
        text.Append("# HELP http_requests Requests received.\n# TYPE http_requests counter\n");
        foreach (var (series, qps) in new (string, Func<int, double>)[] { (Checkout, CheckoutQps), (Search, SearchQps) })
        {
            var total = 0.0;
            for (var t = 0; t <= DurationSeconds; t += StepSeconds)
            {
                if (t > 0)
                    total += (qps(t - StepSeconds) + qps(t)) / 2 * StepSeconds;
                var unix = Start.ToUnixTimeSeconds() + t;
                text.Append(CultureInfo.InvariantCulture, $"{series} {total:R} {unix}\n");
            }
        }

        text.Append("# EOF\n");
        return text.ToString();
    }
}
