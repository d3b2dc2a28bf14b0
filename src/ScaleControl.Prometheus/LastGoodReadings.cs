using System.Collections.Concurrent;
using System.Globalization;
using ScaleControl.Core.Signals;

namespace ScaleControl.Prometheus;

/// <summary>
/// The last usable reading of each query, so that an outage reports what was last known and how old it is.
/// A stale reading keeps status Unavailable: the decision engine fails static on it and never scales down.
/// </summary>
internal sealed class LastGoodReadings(TimeProvider time)
{
    private static readonly TimeSpan s_retention = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, MetricReading> _readings = new(StringComparer.Ordinal);

    public void Remember(MetricReading reading)
    {
        if (reading.IsUsable)
            _readings[reading.Query] = reading;
    }

    public MetricReading Unavailable(string query, string problem)
    {
        if (!_readings.TryGetValue(query, out var last) || last.SampleTime is not { } sampled)
            return MetricReading.Failed(query, MetricStatus.Unavailable, problem);

        var age = time.GetUtcNow() - sampled;
        var value = last.Value!.Value.ToString("G6", CultureInfo.InvariantCulture);
        return new MetricReading(query, MetricStatus.Unavailable, last.Value, sampled,
            $"{problem}; last good value {value} is stale ({Math.Max(0, age.TotalSeconds):0} s old)");
    }

    /// <summary>Forgets queries no policy has asked about for a long time.</summary>
    public void Prune()
    {
        var cutoff = time.GetUtcNow() - s_retention;
        foreach (var (query, reading) in _readings)
        {
            if (reading.SampleTime < cutoff)
                _readings.TryRemove(query, out _);
        }
    }
}
