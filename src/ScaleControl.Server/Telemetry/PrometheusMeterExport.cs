using System.Diagnostics.Metrics;
using Prometheus;

namespace ScaleControl.Server.Telemetry;

/// <summary>
/// Serves this host's <see cref="ScaleControlMetrics"/> at <c>/metrics</c> (prometheus-net's endpoint): each instrument
/// is mirrored into a prometheus-net collector of the same name, type, help, labels and buckets, so the exposition is
/// the one dashboards and alerts know (a counter stays a counter; prometheus-net's own MeterAdapter would publish it as
/// a gauge and expire idle series). Listens to this host's meter only: two hosts in one process do not count twice.
/// Observable instruments (the per-policy series) are read just before each scrape; an observable counter reports its
/// total, which the Prometheus counter is raised to. What they report is the whole current set: a label set one of them
/// no longer reports (a deleted policy's, <see cref="ScaleControlMetrics.Forget"/>) leaves the exposition, and a total
/// below the last one exported is a new series' (a counter reset).
/// </summary>
public sealed class PrometheusMeterExport : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _collecting = new();
    private readonly List<Export> _observed = [];
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
            var export = new Export(collector, labels, cumulative: instrument is ObservableCounter<long>, observed: instrument.IsObservable);
            if (instrument.IsObservable)
            {
                lock (_collecting)
                {
                    _observed.Add(export);
                }
            }

            listener.EnableMeasurementEvents(instrument, export);
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((Export)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((Export)state!).Record(value, tags));
        _listener.Start();
        (registry ?? Metrics.DefaultRegistry).AddBeforeCollectCallback(() =>
        {
            // One scrape at a time: each must see what the observable instruments report in full before it drops the rest.
            lock (_collecting)
            {
                if (_disposed)
                {
                    return;
                }

                _listener.RecordObservableInstruments();
                foreach (var export in _observed)
                {
                    export.DropUnreported();
                }
            }
        });
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    /// <param name="cumulative">The value is a running total (an observable counter), not an increment.</param>
    /// <param name="observed">An observable instrument: recorded only by a scrape, under <c>_collecting</c>.</param>
    private sealed class Export(Collector collector, string[] labels, bool cumulative, bool observed)
    {
        // An observable instrument's label sets reported by the last scrape and by this one.
        private HashSet<string[]> _reported = new(LabelValuesComparer.Instance);
        private HashSet<string[]> _reporting = new(LabelValuesComparer.Instance);

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            switch (collector)
            {
                case Counter counter when cumulative && labels.Length == 0:
                    counter.IncTo(value);
                    break;
                case Counter counter when cumulative:
                    var values = Reported(tags);
                    if (value < counter.WithLabels(values).Value)
                    {
                        counter.RemoveLabelled(values); // a new series under the same labels: its count starts again
                    }

                    counter.WithLabels(values).IncTo(value);
                    break;
                case Counter counter:
                    (labels.Length == 0 ? counter : (ICounter)counter.WithLabels(Values(tags))).Inc(value);
                    break;
                case Gauge gauge:
                    (labels.Length == 0 ? gauge : (IGauge)gauge.WithLabels(Reported(tags))).Set(value);
                    break;
                case Histogram histogram:
                    (labels.Length == 0 ? histogram : (IHistogram)histogram.WithLabels(Values(tags))).Observe(value);
                    break;
            }
        }

        /// <summary>After a scrape's observations: the label sets not reported this time are gone from the exposition.</summary>
        public void DropUnreported()
        {
            foreach (var values in _reported)
            {
                switch (collector)
                {
                    case Counter counter when !_reporting.Contains(values):
                        counter.RemoveLabelled(values);
                        break;
                    case Gauge gauge when !_reporting.Contains(values):
                        gauge.RemoveLabelled(values);
                        break;
                }
            }

            (_reported, _reporting) = (_reporting, _reported);
            _reporting.Clear();
        }

        /// <summary>The tags' values, of an observable instrument remembered as reported by this scrape.</summary>
        private string[] Reported(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var values = Values(tags);
            if (observed)
            {
                _reporting.Add(values);
            }

            return values;
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

    /// <summary>Label values compared by content, as the collector tells its children apart.</summary>
    private sealed class LabelValuesComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelValuesComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] values)
        {
            var hash = default(HashCode);
            foreach (var value in values)
            {
                hash.Add(value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
