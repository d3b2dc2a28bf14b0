using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ScaleControl.Sandbox.Traffic.PrometheusApi;

namespace ScaleControl.Sandbox.Traffic;

public static class TrafficServiceCollectionExtensions
{
    /// <summary>
    /// Registers the traffic simulator, its clock and the query engine behind its Prometheus-compatible API
    /// (<see cref="PrometheusQueryEndpoints"/>): the product reads it through its Prometheus adapter, as a cluster's
    /// Prometheus. Reads ready pods from an <see cref="ISandboxCluster"/> when one is registered, and gives the cluster's
    /// metrics API each workload's load (<see cref="ISandboxWorkloadLoad"/>).
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
        services.TryAddSingleton<ISandboxWorkloadLoad>(sp => sp.GetRequiredService<TrafficSimulator>());
        services.TryAddSingleton<TrafficTraceLibrary>();
        services.TryAddSingleton<SandboxQueryEngine>();
        services.AddHostedService<TrafficClock>();
        return services;
    }
}
