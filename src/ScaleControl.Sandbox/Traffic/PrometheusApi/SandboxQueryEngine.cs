using System.Collections.Concurrent;

namespace ScaleControl.Sandbox.Traffic.PrometheusApi;

/// <summary>
/// Evaluates the sandbox's PromQL subset (<see cref="SandboxQuery"/>) over the traffic simulator's history, the way
/// Prometheus does, so the same query against a real Prometheus scraping <c>/sandbox/metrics</c> gives (within
/// scrape jitter) the same number. A query outside the subset is bad_data, as a parse error is in Prometheus.
/// </summary>
internal sealed class SandboxQueryEngine(TrafficSimulator simulator)
{
    private readonly ConcurrentDictionary<string, (SandboxQuery? Query, string? Problem)> _parsed = new(StringComparer.Ordinal);

    /// <summary><c>/api/v1/query</c>: the instant vector at <paramref name="time"/> (default now; never past the simulator's now).</summary>
    public PrometheusAnswer Instant(string query, DateTimeOffset? time)
    {
        var (parsed, problem) = Parse(query);
        if (parsed is null)
        {
            return PrometheusAnswer.BadData(problem!);
        }

        try
        {
            return simulator.Read(history =>
            {
                var at = time is { } t && t < history.Now ? t : history.Now;
                return PrometheusAnswer.Vector(at, SandboxQueryEvaluator.Evaluate(parsed, history, at));
            });
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return PrometheusAnswer.Execution($"sandbox evaluation failed: {e.Message}");
        }
    }

    /// <summary><c>/api/v1/query_range</c>: one value per step from <paramref name="start"/> up to the simulator's now.</summary>
    public PrometheusAnswer Range(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var (parsed, problem) = Parse(query);
        if (parsed is null)
        {
            return PrometheusAnswer.BadData(problem!);
        }

        try
        {
            return simulator.Read(history =>
            {
                var steps = new List<(DateTimeOffset Time, IReadOnlyList<double> Values)>();
                for (var t = start; t <= end && t <= history.Now; t += step)
                {
                    steps.Add((t, SandboxQueryEvaluator.Evaluate(parsed, history, t)));
                }

                return PrometheusAnswer.Matrix(steps);
            });
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            return PrometheusAnswer.Execution($"sandbox evaluation failed: {e.Message}");
        }
    }

    private (SandboxQuery? Query, string? Problem) Parse(string query) =>
        _parsed.GetOrAdd(query, static q => (SandboxQuery.Parse(q, out var problem), problem));
}
