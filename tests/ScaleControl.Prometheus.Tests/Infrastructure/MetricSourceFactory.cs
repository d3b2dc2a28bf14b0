using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ScaleControl.Prometheus.Api;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Prometheus.Tests.Infrastructure;

/// <summary>Builds a <see cref="PrometheusMetricSource"/> the way the host does: configuration, DI, options validation.</summary>
internal sealed class MetricSourceFactory : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="log">Where the host's log lines go (none when null).</param>
    public MetricSourceFactory(Uri url, IDictionary<string, string?>? settings = null, TimeProvider? time = null, ILoggerProvider? log = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["ScaleControl:Prometheus:Url"] = url.ToString(),
            // The product's 5 s, scaled: a real Prometheus on a starved CI runner must not time out (and be retried,
            // which would double requests a test counts). Tests of the timeout set their own.
            ["ScaleControl:Prometheus:Timeout"] = Patience.Of(5).ToString("c", CultureInfo.InvariantCulture),
            ["ScaleControl:Prometheus:RetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            values["ScaleControl:Prometheus:" + key] = value;

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        // The fake clock only sets the query's evaluation time: HTTP timeouts and retry delays stay on real time.
        var services = new ServiceCollection().AddLogging(logging =>
        {
            if (log is not null)
            {
                logging.AddProvider(log);
            }
        });
        services.AddScaleControlPrometheus(configuration);
        _services = services.BuildServiceProvider(validateScopes: true);
        Source = new PrometheusMetricSource(
            _services.GetRequiredService<PrometheusApiClient>(),
            _services.GetRequiredService<IOptions<PrometheusOptions>>(),
            time ?? TimeProvider.System,
            NullLogger<PrometheusMetricSource>.Instance);
    }

    public PrometheusMetricSource Source { get; }

    public void Dispose()
    {
        Source.Dispose();
        _services.Dispose();
    }
}
