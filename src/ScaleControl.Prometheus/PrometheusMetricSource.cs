using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Signals;
using ScaleControl.Prometheus.Api;

namespace ScaleControl.Prometheus;

/// <summary>
/// Metric values from PromQL over the Prometheus HTTP API. One instant query per distinct expression per
/// call, evaluated at the same "now" for all of them, at most <see cref="PrometheusOptions.MaxConcurrency"/>
/// in flight. Never throws for a bad or failed query: every problem becomes the reading's status.
/// </summary>
public sealed partial class PrometheusMetricSource : IMetricSource, IDisposable
{
    /// <summary>Prometheus refuses range queries above 11,000 points per series.</summary>
    private const int MaxRangePoints = 11_000;

    private readonly PrometheusApiClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger<PrometheusMetricSource> _logger;
    private readonly SemaphoreSlim _concurrency;
    private readonly LastGoodReadings _lastGood;
    private readonly ConcurrentDictionary<string, MetricStatus> _lastStatus = new(StringComparer.Ordinal);

    internal PrometheusMetricSource(PrometheusApiClient client, IOptions<PrometheusOptions> options, TimeProvider time, ILogger<PrometheusMetricSource> logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
        _concurrency = new SemaphoreSlim(options.Value.MaxConcurrency);
        _lastGood = new LastGoodReadings(time);
    }

    public async Task<IReadOnlyDictionary<string, MetricReading>> QueryAsync(IReadOnlyCollection<string> queries, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var distinct = queries.Distinct(StringComparer.Ordinal).ToArray();
        var readings = await Task.WhenAll(distinct.Select(query => EvaluateAsync(query, now, cancellationToken)));
        _lastGood.Prune();
        return readings.ToDictionary(r => r.Query, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<MetricPoint>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        if (step <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be positive");
        if (end < start)
            throw new ArgumentOutOfRangeException(nameof(end), end, "end must not be before start");
        if ((end - start) / step > MaxRangePoints)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"more than {MaxRangePoints} points per series; use a larger step");

        var data = await WithConcurrencyLimitAsync(() => _client.QueryRangeAsync(query, start, end, step, cancellationToken), cancellationToken);
        return data.Series switch
        {
            [] => [],
            // NaN/Inf points are gaps in the history, not values to learn from.
            [var series] => series.Samples.Where(s => double.IsFinite(s.Value)).Select(s => new MetricPoint(s.Time, s.Value)).ToArray(),
            _ => throw new PrometheusQueryException(MetricStatus.MultipleSeries, $"query returned {data.Series.Count} series; aggregate with sum()"),
        };
    }

    public void Dispose() => _concurrency.Dispose();

    private async Task<MetricReading> EvaluateAsync(string query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        MetricReading reading;
        if (string.IsNullOrWhiteSpace(query))
        {
            reading = MetricReading.Failed(query, MetricStatus.InvalidQuery, "query is empty");
        }
        else
        {
            try
            {
                var data = await WithConcurrencyLimitAsync(() => _client.QueryAsync(query, now, cancellationToken), cancellationToken);
                reading = ReadingInterpreter.Interpret(query, data);
                _lastGood.Remember(reading);
            }
            catch (PrometheusQueryException e) when (e.Status == MetricStatus.Unavailable)
            {
                reading = _lastGood.Unavailable(query, e.Message);
            }
            catch (PrometheusQueryException e)
            {
                reading = MetricReading.Failed(query, e.Status, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug or an unforeseen failure stays with this query instead of failing the whole tick.
                reading = _lastGood.Unavailable(query, $"unexpected error: {e.Message}");
            }
        }

        LogTransition(reading);
        return reading;
    }

    private async Task<T> WithConcurrencyLimitAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        await _concurrency.WaitAsync(cancellationToken);
        try
        {
            return await action();
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Logs when a query's status changes, not on every tick, so an outage does not flood the log.</summary>
    private void LogTransition(MetricReading reading)
    {
        var previous = _lastStatus.GetValueOrDefault(reading.Query, MetricStatus.Ok);
        _lastStatus[reading.Query] = reading.Status;
        if (previous == reading.Status)
            return;

        if (reading.Status == MetricStatus.Ok)
            LogRecovered(reading.Query, previous);
        else
            LogQueryProblem(reading.Query, reading.Status, reading.Problem);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "PromQL query {Query} is {Status}: {Problem}")]
    private partial void LogQueryProblem(string query, MetricStatus status, string? problem);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "PromQL query {Query} answers again (was {Previous})")]
    private partial void LogRecovered(string query, MetricStatus previous);
}
