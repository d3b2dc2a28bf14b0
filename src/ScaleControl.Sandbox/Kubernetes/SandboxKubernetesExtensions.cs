using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ScaleControl.Sandbox.Kubernetes.Auth;
using ScaleControl.Sandbox.Kubernetes.Cluster;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Kubernetes.Http;
using ScaleControl.Sandbox.Kubernetes.Metrics;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;
using ScaleControl.Sandbox.Kubernetes.Storage;

namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>Composition of the sandbox Kubernetes API into a host.</summary>
public static class SandboxKubernetesExtensions
{
    /// <summary>
    /// Registers the sandbox cluster: store, API handler, controllers (as a hosted service unless
    /// <see cref="SandboxKubernetesOptions.RunControllerLoop"/> is off), <see cref="SandboxKubernetesControl"/> and
    /// <see cref="ISandboxCluster"/>. Uses the registered <see cref="TimeProvider"/> (System when none).
    /// </summary>
    public static IServiceCollection AddSandboxKubernetes(this IServiceCollection services, Action<SandboxKubernetesOptions>? configure = null)
    {
        var options = new SandboxKubernetesOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<ResourceCatalog>();
        services.AddSingleton<ObjectStore>();
        services.AddSingleton(sp =>
        {
            var operations = ActivatorUtilities.CreateInstance<ResourceOperations>(sp);
            operations.RegisterStoredCrds();
            operations.CreateSystemNamespaces();
            BootstrapPolicy.Ensure(operations);
            operations.CreateNodes(options.Nodes, options.GitVersion);
            KubernetesService.Reconcile(operations, sp.GetRequiredService<ApiServerAddress>());
            return operations;
        });
        services.AddSingleton<WorkloadControllers>();
        services.AddSingleton<KubeletFailures>();
        services.AddSingleton<PodScheduler>();
        services.AddSingleton<WorkloadStatusWriter>();
        services.AddSingleton<EndpointsController>();
        services.AddSingleton<EndpointSliceController>();
        services.AddSingleton<ApiServerAddress>();
        services.AddSingleton<HpaController>();
        services.AddSingleton<ForegroundDeletion>();
        services.AddSingleton<PodTermination>();
        services.AddSingleton<PodGarbageCollector>();
        services.AddSingleton<NodeKubelets>();
        services.AddSingleton<NodeLifecycleController>();
        services.AddSingleton<TaintEvictionController>();
        services.AddSingleton<DisruptionController>();
        services.AddSingleton<PodEviction>();
        services.AddSingleton<ClusterSimulator>();
        services.AddSingleton<FaultInjector>();
        services.AddSingleton<RequestJournal>();
        services.AddSingleton<WatchStreamer>();
        services.AddSingleton<PodLogStreamer>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<RbacAuthorizer>();
        services.AddSingleton<AuthEndpoints>();
        services.AddSingleton(sp => new MetricsServer(
            sp.GetRequiredService<ResourceOperations>(), sp.GetRequiredService<TimeProvider>(),
            new Lazy<ISandboxWorkloadLoad?>(sp.GetService<ISandboxWorkloadLoad>))); // the traffic simulator, when the host runs one
        services.AddSingleton<KubernetesApiHandler>();
        services.AddSingleton(sp => new SandboxKubernetesControl(
            sp.GetRequiredService<ResourceCatalog>(), sp.GetRequiredService<ResourceOperations>(), sp.GetRequiredService<ClusterSimulator>(),
            sp.GetRequiredService<FaultInjector>(), sp.GetRequiredService<RequestJournal>(), sp.GetRequiredService<NodeKubelets>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ISandboxCluster, SandboxCluster>();
        if (options.RunControllerLoop)
        {
            services.AddHostedService<ControllerLoop>();
        }

        return services;
    }

    /// <summary>
    /// Serves the sandbox Kubernetes API registered in this collection on a listener of its own at <paramref name="url"/>
    /// (e.g. https://127.0.0.1:6443, served with <paramref name="certificate"/>), the way a real API server has its own address.
    /// </summary>
    public static IServiceCollection AddSandboxKubernetesListener(this IServiceCollection services, Uri url, SandboxCertificate? certificate = null) =>
        services.AddHostedService(sp => new SandboxKubernetesListener(sp, url, certificate));

    /// <summary>
    /// Advertises where this host serves the sandbox API (the default/kubernetes Service's endpoints), once it is bound.
    /// </summary>
    internal static void AdvertiseSandboxKubernetes(this IServiceProvider services, Uri url)
    {
        var address = services.GetRequiredService<ApiServerAddress>();
        address.Set(url);
        KubernetesService.Reconcile(services.GetRequiredService<ResourceOperations>(), address);
    }

    /// <summary>Serves the Kubernetes API under <paramref name="prefix"/> ("" for the root of a dedicated host).</summary>
    public static IEndpointRouteBuilder MapSandboxKubernetes(this IEndpointRouteBuilder endpoints, string prefix = "") =>
        endpoints.MapSandboxKubernetes(prefix, endpoints.ServiceProvider.GetRequiredService<KubernetesApiHandler>());

    internal static IEndpointRouteBuilder MapSandboxKubernetes(this IEndpointRouteBuilder endpoints, string prefix, KubernetesApiHandler handler)
    {
        endpoints.Map(prefix.TrimEnd('/') + "/{**path}", (HttpContext context, string? path) => handler.HandleAsync(context, path));
        return endpoints;
    }
}
