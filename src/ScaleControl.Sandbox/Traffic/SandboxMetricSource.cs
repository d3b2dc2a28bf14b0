using System.Collections.Concurrent;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// The sandbox's own metric source: answers the sandbox policies' queries from the traffic simulator in-process,
/// so the embedded default runs without a Prometheus. It understands only the small query convention of
/// <see cref="SandboxQuery"/> and computes rate() and histogram_quantile() the way Prometheus does, so the same
/// query against a real Prometheus scraping <c>/sandbox/metrics</c> gives (within scrape jitter) the same number.
/// </summary>
public sealed class SandboxMetricSource(TrafficSimulator simulator) : IMetricSource
{
    private readonly ConcurrentDictionary<string, (SandboxQuery? Query, string? Problem)> _parsed = new(StringComparer.Ordinal);

    public Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> queries, CancellationToken cancellationToken)
    {
        var distinct = queries.Distinct(StringComparer.Ordinal).ToArray();
        IReadOnlyDictionary<string, MetricReading> readings = simulator.Read(history =>
            distinct.ToDictionary(q => q, q => Evaluate(q, history, history.Now), StringComparer.Ordinal));
        return Task.FromResult(readings);
    }

    public Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken)
    {
        if (step <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be positive");
        if (end < start)
            throw new ArgumentOutOfRangeException(nameof(end), end, "end must not be before start");
        var (parsed, problem) = Parse(query);
        if (parsed is null)
            throw new ArgumentException(problem, nameof(query));

        IReadOnlyList<MetricPoint> points = simulator.Read(history =>
        {
            var result = new List<MetricPoint>();
            for (var t = start; t <= end && t <= history.Now; t += step)
            {
                var reading = Evaluate(query, history, t);
                if (reading.Status == MetricStatus.MultipleSeries)
                    throw new InvalidOperationException(reading.Problem);
                if (reading.IsUsable)
                    result.Add(new MetricPoint(t, reading.Value!.Value));
            }

            return result;
        });
        return Task.FromResult(points);
    }

    private MetricReading Evaluate(string query, TrafficSimulator.TrafficHistory history, DateTimeOffset time)
    {
        var (parsed, problem) = Parse(query);
        if (parsed is null)
            return MetricReading.Failed(query, MetricStatus.InvalidQuery, problem!);

        IReadOnlyList<double> values;
        try
        {
            values = SandboxQueryEvaluator.Evaluate(parsed, history, time);
        }
        catch (Exception e)
        {
            // Never throw into the control loop: an evaluation bug is this query's problem only.
            return MetricReading.Failed(query, MetricStatus.Unavailable, $"sandbox evaluation failed: {e.Message}");
        }

        return values switch
        {
            [] => MetricReading.Failed(query, MetricStatus.Empty, "query returned no series"),
            [var value] when double.IsFinite(value) => MetricReading.Ok(query, value, time),
            [var value] => new MetricReading(query, MetricStatus.NotANumber, null, time, $"value is {FormatNonFinite(value)}"),
            _ => MetricReading.Failed(query, MetricStatus.MultipleSeries, $"query returned {values.Count} series; aggregate with sum()"),
        };
    }

    private (SandboxQuery? Query, string? Problem) Parse(string query) =>
        _parsed.GetOrAdd(query, static q => (SandboxQuery.Parse(q, out var problem), problem));

    private static string FormatNonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
}
