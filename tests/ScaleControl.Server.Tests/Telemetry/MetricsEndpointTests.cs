using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Server.Telemetry;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary><c>/metrics</c> on the real host: the product's meter is exported from the start, under its Prometheus names.</summary>
public sealed class MetricsEndpointTests(ServerFactory server) : IClassFixture<ServerFactory>
{
    [Fact]
    public async Task Metrics_HostsMeter_ServedWithPrometheusNamesAndTypes()
    {
        using var client = server.ClientWith(null);
        server.Services.GetRequiredService<ScaleControlMetrics>().DingTalkCall("card_send", "Ok");

        var text = await client.GetStringAsync("/metrics");

        Assert.Contains("# TYPE scalecontrol_evaluations_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE scalecontrol_approval_wait_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("scalecontrol_dingtalk_calls_total{operation=\"card_send\",result=\"Ok\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_HostsMeter_IsExportedOnceUnderItsOwnNames()
    {
        using var client = server.ClientWith(null);
        server.Services.GetRequiredService<ScaleControlMetrics>().DingTalkCall("card_send", "Ok");

        var text = await client.GetStringAsync("/metrics");

        // prometheus-net's default adapter of every meter would add a gauge copy named after the meter.
        Assert.DoesNotContain("scalecontrol_scalecontrol_", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE scalecontrol_dingtalk_calls_total counter", text, StringComparison.Ordinal);
    }
}
