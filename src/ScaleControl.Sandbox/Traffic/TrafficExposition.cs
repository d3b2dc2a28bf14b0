using System.Globalization;
using System.Text;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// Writes the simulator's counters in the Prometheus text exposition format (version 0.0.4), the format
/// every Prometheus scrapes: <c>http_requests_total</c>, <c>http_request_errors_total</c>, the
/// <c>http_request_duration_seconds</c> histogram, <c>push_sent_total</c>, plus demand and ready-pod gauges, labelled
/// namespace/workload. Counter samples carry the time they were computed at (milliseconds since the epoch, the
/// format's optional timestamp): they are read off the simulated curve at that instant, so a Prometheus that stamped them
/// with the start of its scrape instead would shift each by however long the request waited for a busy CPU — up to the
/// scrape timeout, ±10 % of a rate() over [10s]. Gauges stay untimestamped so they go stale when the sandbox stops.
/// </summary>
internal static class TrafficExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Write(TrafficSimulator simulator) => simulator.Read(history =>
    {
        var rows = history.Services.Select(s => (Service: s, Totals: history.CountersSinceStart(s))).ToArray();
        var text = new StringBuilder(4096);
        var at = history.Now.ToUnixTimeMilliseconds();

        Family(text, "http_requests_total", "counter", "Requests received (simulated by the ScaleControl sandbox).");
        foreach (var (service, totals) in rows)
            Sample(text, "http_requests_total", service, null, totals[TrafficCounters.Requests], at);

        Family(text, "http_request_errors_total", "counter", "Requests that failed (simulated).");
        foreach (var (service, totals) in rows)
            Sample(text, "http_request_errors_total", service, null, totals[TrafficCounters.Errors], at);

        Family(text, "http_request_duration_seconds", "histogram", "Request duration in seconds (simulated).");
        foreach (var (service, totals) in rows)
        {
            var bounds = TrafficCounters.BucketBounds;
            for (var i = 0; i <= bounds.Length; i++)
            {
                var le = i < bounds.Length ? Format(bounds[i]) : "+Inf";
                Sample(text, "http_request_duration_seconds_bucket", service, le, totals[TrafficCounters.FirstBucket + i], at);
            }

            Sample(text, "http_request_duration_seconds_sum", service, null, totals[TrafficCounters.DurationSum], at);
            Sample(text, "http_request_duration_seconds_count", service, null, totals[TrafficCounters.Requests], at);
        }

        Family(text, "push_sent_total", "counter", "Push notifications sent that open this service (simulated push campaigns).");
        foreach (var (service, totals) in rows)
            Sample(text, "push_sent_total", service, null, totals[TrafficCounters.Pushes], at);

        Family(text, "sandbox_traffic_demand_qps", "gauge", "Simulated demand in requests per second, before capacity limits.");
        foreach (var (service, _) in rows)
            Sample(text, "sandbox_traffic_demand_qps", service, null, service.Current!.DemandQps);

        Family(text, "sandbox_traffic_ready_replicas", "gauge", "Ready pods the capacity model used.");
        foreach (var (service, _) in rows)
            Sample(text, "sandbox_traffic_ready_replicas", service, null, service.Current!.ReadyReplicas);

        return text.ToString();
    });

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, SimulatedService service, string? le, double value, long? timestampMs = null)
    {
        text.Append(name).Append("{namespace=\"").Append(Escape(service.Namespace))
            .Append("\",workload=\"").Append(Escape(service.Workload)).Append('"');
        if (le is not null)
            text.Append(",le=\"").Append(le).Append('"');
        text.Append("} ").Append(Format(value));
        if (timestampMs is { } timestamp)
            text.Append(' ').Append(timestamp.ToString(CultureInfo.InvariantCulture));
        text.Append('\n');
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
