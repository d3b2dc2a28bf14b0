using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Ports;

namespace ScaleControl.Sandbox.Traffic;

public static class TrafficServiceCollectionExtensions
{
    /// <summary>
    /// Registers the traffic simulator, its clock and <see cref="SandboxMetricSource"/>. The sandbox source becomes
    /// the <see cref="IMetricSource"/> only if none is registered (TryAdd): with a Prometheus configured, the
    /// product's Prometheus source wins. Reads ready pods from an <see cref="ISandboxCluster"/> when one is registered.
    /// </summary>
    public static IServiceCollection AddSandboxTraffic(this IServiceCollection services, Action<SandboxTrafficOptions>? configure = null)
    {
        var options = services.AddOptions<SandboxTrafficOptions>().ValidateOnStart();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxTrafficOptions>, SandboxTrafficOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(sp => new TrafficSimulator(
            sp.GetRequiredService<IOptions<SandboxTrafficOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ISandboxCluster>()));
        services.TryAddSingleton<TrafficTraceLibrary>();
        services.TryAddSingleton<SandboxMetricSource>();
        services.TryAddSingleton<IMetricSource>(sp => sp.GetRequiredService<SandboxMetricSource>());
        services.AddHostedService<TrafficClock>();
        return services;
    }
}
