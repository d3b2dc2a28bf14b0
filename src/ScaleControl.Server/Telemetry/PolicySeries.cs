using System.Diagnostics.Metrics;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// One policy's <c>/metrics</c> figures as plain fields: the loop writes them on every evaluation (no measurement, no
/// label lookup), <see cref="ScaleControlMetrics"/>' observable instruments read them when <c>/metrics</c> is scraped.
/// A figure never written is not reported; a metric once reported keeps its last value, as a recorded gauge would.
/// </summary>
public sealed class PolicySeries(string @namespace, string policy, long[] outcomes)
{
    private long _evaluations;
    private double _desired = double.NaN;
    private double _current = double.NaN;
    private MetricValue[] _metrics = [];

    private static readonly int s_outcomeCount = Enum.GetValues<DecisionOutcome>().Length;

    /// <summary>One evaluation by the loop: its outcome under the policy's mode, and replica counts (in mode Observe, desired is what it would run).</summary>
    public void Evaluated(ScaleMode mode, DecisionOutcome outcome, int desired, int current)
    {
        Interlocked.Increment(ref _evaluations);
        Interlocked.Increment(ref outcomes[((int)mode * s_outcomeCount) + (int)outcome]);
        Volatile.Write(ref _desired, desired);
        Volatile.Write(ref _current, current);
    }

    /// <summary>The last value of one of the policy's metrics.</summary>
    public void Metric(string name, double value)
    {
        var metrics = Volatile.Read(ref _metrics);
        foreach (var metric in metrics)
        {
            if (ReferenceEquals(metric.Name, name) || metric.Name == name)
            {
                metric.Value = value;
                return;
            }
        }

        // A metric seen for the first time (a new policy or spec): copy on write, so a scrape never sees a half-grown array.
        Volatile.Write(ref _metrics, [.. metrics, new MetricValue(name, value)]);
    }

    internal IEnumerable<Measurement<long>> Evaluations()
    {
        if (Interlocked.Read(ref _evaluations) is var count and > 0)
        {
            yield return new Measurement<long>(count, Labels());
        }
    }

    internal IEnumerable<Measurement<double>> Desired() => Gauge(Volatile.Read(ref _desired));

    internal IEnumerable<Measurement<double>> Current() => Gauge(Volatile.Read(ref _current));

    internal IEnumerable<Measurement<double>> MetricValues()
    {
        foreach (var metric in Volatile.Read(ref _metrics))
        {
            yield return new Measurement<double>(
                metric.Value, new("namespace", @namespace), new("policy", policy), new("metric", metric.Name));
        }
    }

    private IEnumerable<Measurement<double>> Gauge(double value)
    {
        if (!double.IsNaN(value))
        {
            yield return new Measurement<double>(value, Labels());
        }
    }

    private KeyValuePair<string, object?>[] Labels() => [new("namespace", @namespace), new("policy", policy)];

    private sealed class MetricValue(string name, double value)
    {
        private double _value = value;

        public string Name { get; } = name;

        public double Value
        {
            get => Volatile.Read(ref _value);
            set => Volatile.Write(ref _value, value);
        }
    }
}
