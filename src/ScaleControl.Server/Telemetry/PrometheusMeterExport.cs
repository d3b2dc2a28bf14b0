using System.Diagnostics.Metrics;
using Prometheus;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// Serves this host's <see cref="ScaleControlMetrics"/> at <c>/metrics</c> (prometheus-net's endpoint): each instrument
/// is mirrored into a prometheus-net collector of the same name, type, help, labels and buckets, so the exposition is
/// the one dashboards and alerts know (a counter stays a counter; prometheus-net's own MeterAdapter would publish it as
/// a gauge and expire idle series). Listens to this host's meter only: two hosts in one process do not count twice.
/// Observable instruments (the per-policy series) are read just before each scrape; an observable counter reports its
/// total, which the Prometheus counter is raised to.
/// </summary>
public sealed class PrometheusMeterExport : IDisposable
{
    private readonly MeterListener _listener = new();
    private volatile bool _disposed;

    public PrometheusMeterExport(ScaleControlMetrics metrics, CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                return;
            }

            var labels = metrics.LabelsOf(instrument).ToArray();
            var help = instrument.Description ?? instrument.Name;
            Collector collector = instrument switch
            {
                Counter<long> or ObservableCounter<long> => factory.CreateCounter(instrument.Name, help, labels),
                Gauge<double> or ObservableGauge<double> => factory.CreateGauge(instrument.Name, help, labels),
                Histogram<double> h => factory.CreateHistogram(instrument.Name, help, new HistogramConfiguration
                {
                    LabelNames = labels,
                    Buckets = h.Advice?.HistogramBucketBoundaries?.ToArray() ?? Histogram.ExponentialBuckets(0.005, 2, 18),
                }),
                _ => throw new NotSupportedException($"{instrument.Name}: {instrument.GetType().Name} has no Prometheus mapping"),
            };
            listener.EnableMeasurementEvents(instrument, new Export(collector, labels, cumulative: instrument is ObservableCounter<long>));
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Export)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Export)state!).Record(value, tags));
        _listener.Start();
        (registry ?? Metrics.DefaultRegistry).AddBeforeCollectCallback(() =>
        {
            if (!_disposed)
            {
                _listener.RecordObservableInstruments();
            }
        });
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    /// <param name="cumulative">The value is a running total (an observable counter), not an increment.</param>
    private sealed class Export(Collector collector, string[] labels, bool cumulative)
    {
        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            switch (collector)
            {
                case Counter counter when cumulative:
                    (labels.Length == 0 ? counter : (ICounter)counter.WithLabels(Values(tags))).IncTo(value);
                    break;
                case Counter counter:
                    (labels.Length == 0 ? counter : (ICounter)counter.WithLabels(Values(tags))).Inc(value);
                    break;
                case Gauge gauge:
                    (labels.Length == 0 ? gauge : (IGauge)gauge.WithLabels(Values(tags))).Set(value);
                    break;
                case Histogram histogram:
                    (labels.Length == 0 ? histogram : (IHistogram)histogram.WithLabels(Values(tags))).Observe(value);
                    break;
            }
        }

        /// <summary>The tags' values in the collector's label order; a tag not given is empty, as Prometheus reads a missing label.</summary>
        private string[] Values(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var values = new string[labels.Length];
            for (var i = 0; i < labels.Length; i++)
            {
                values[i] = "";
                foreach (var tag in tags)
                {
                    if (tag.Key == labels[i])
                    {
                        values[i] = tag.Value?.ToString() ?? "";
                        break;
                    }
                }
            }

            return values;
        }
    }
}
