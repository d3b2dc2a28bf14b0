using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Server.Telemetry;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>A test's own <see cref="ScaleControlMetrics"/> (its own meter factory) and what was recorded on it, by instrument and tag values.</summary>
internal sealed class TestMetrics : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _sums = new();

    public TestMetrics()
    {
        Metrics = new ScaleControlMetrics(_services.GetRequiredService<IMeterFactory>());
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, Metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public ScaleControlMetrics Metrics { get; }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with exactly these tag values (in recording order).</summary>
    public double Sum(Instrument instrument, params string[] tagValues) => _sums.GetValueOrDefault(Key(instrument.Name, tagValues));

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            values[i] = tags[i].Value?.ToString() ?? "";
        }

        _sums.AddOrUpdate(Key(instrument.Name, values), value, (_, sum) => sum + value);
    }

    private static string Key(string name, string[] values) => $"{name}|{string.Join('|', values)}";
}
