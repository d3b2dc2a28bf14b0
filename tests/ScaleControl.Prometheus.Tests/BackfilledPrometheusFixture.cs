using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Testing.Prometheus;

namespace ScaleControl.Prometheus.Tests;

/// <summary>One real Prometheus per test class, loaded with <see cref="RecordedHotEvent"/> before it starts.</summary>
public sealed class BackfilledPrometheusFixture : IAsyncLifetime
{
    private PrometheusServer? _server;

    public Uri Url => _server!.Url;

    public async Task InitializeAsync() => _server = await PrometheusServer.StartAsync(openMetricsBackfill: RecordedHotEvent.ToOpenMetrics());

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
