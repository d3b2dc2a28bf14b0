using System.Globalization;
using System.Text;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A hot event on clitest/orders over the hour before <c>now</c>, sampled every 10 s: 100 QPS, a 5-minute ramp to
/// 500 QPS from minute 20, a 15-minute hold, a 10-minute decay back to 100.
/// </summary>
public static class HotEventCurve
{
    public const string Series = """http_requests_total{namespace="clitest",workload="orders"}""";
    public const double PeakQps = 500;
    public const double BaseQps = 100;

    public static double Qps(int second) => second switch
    {
        < 1200 => BaseQps,
        < 1500 => BaseQps + (PeakQps - BaseQps) * (second - 1200) / 300,
        < 2400 => PeakQps,
        < 3000 => PeakQps - (PeakQps - BaseQps) * (second - 2400) / 600,
        _ => BaseQps,
    };

    /// <summary>The counter as OpenMetrics, ending a minute before <paramref name="now"/> (the backfill must not reach the head block).</summary>
    public static string ToOpenMetrics(DateTimeOffset now)
    {
        var start = now.ToUnixTimeSeconds() - 3600;
        var text = new StringBuilder("# HELP http_requests Requests received.\n# TYPE http_requests counter\n");
        var total = 0.0;
        for (var t = 0; t <= 3540; t += 10)
        {
            if (t > 0)
            {
                total += (Qps(t - 10) + Qps(t)) / 2 * 10;
            }

            text.Append(CultureInfo.InvariantCulture, $"{Series} {total:R} {start + t}\n");
        }

        return text.Append("# EOF\n").ToString();
    }
}
