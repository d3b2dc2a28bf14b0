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
        services.AddSingleton(sp => new PrometheusMeterExport(sp.GetRequiredService<ScaleControlMetrics>()));
        return services;
    }

    /// <summary>Serves <c>/metrics</c> (prometheus-net's exposition), with the product's meter mirrored into it from the start.</summary>
    public static IEndpointConventionBuilder MapScaleControlMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<PrometheusMeterExport>();
        return app.MapMetrics();
    }
}
