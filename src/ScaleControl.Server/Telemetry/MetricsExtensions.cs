using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace ScaleControl.Server.Telemetry;

public static class MetricsExtensions
{
    /// <summary>The product's metrics (<see cref="ScaleControlMetrics"/>, on the host's IMeterFactory) and their export to <c>/metrics</c>.</summary>
    public static IServiceCollection AddScaleControlMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        // prometheus-net mirrors every .NET meter into /metrics by default; ours is exported by PrometheusMeterExport
        // with its own types, so the default copy (gauges named scalecontrol_scalecontrol_*) is left out.
        Metrics.ConfigureMeterAdapter(options => options.InstrumentFilterPredicate =
            instrument => instrument.Meter.Name != ScaleControlMetrics.MeterName);
        services.AddSingleton<ScaleControlMetrics>();
        // The process's registry (with prometheus-net's process and runtime metrics) unless a host brings its own: a
        // test process runs many hosts, and on one shared registry their gauges would overwrite each other's values.
        services.TryAddSingleton(Metrics.DefaultRegistry);
        services.AddSingleton(sp => new PrometheusMeterExport(sp.GetRequiredService<ScaleControlMetrics>(), sp.GetRequiredService<CollectorRegistry>()));
        return services;
    }

    /// <summary>prometheus-net's request metrics (<c>http_request*</c>), in the host's registry as the product's own.</summary>
    public static IApplicationBuilder UseScaleControlHttpMetrics(this WebApplication app) =>
        app.UseHttpMetrics(options => options.SetMetricFactory(Metrics.WithCustomRegistry(app.Services.GetRequiredService<CollectorRegistry>())));

    /// <summary>Serves <c>/metrics</c> (prometheus-net's exposition), with the product's meter mirrored into it from the start.</summary>
    public static IEndpointConventionBuilder MapScaleControlMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<PrometheusMeterExport>();
        return app.MapMetrics(registry: app.Services.GetRequiredService<CollectorRegistry>());
    }
}
