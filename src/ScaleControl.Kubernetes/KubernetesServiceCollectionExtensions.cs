using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Capacity;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Kubernetes.Events;
using ScaleControl.Kubernetes.Leadership;
using ScaleControl.Kubernetes.Resources;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Kubernetes adapters: one <see cref="IKubernetes"/> (explicit host, kubeconfig or in-cluster),
    /// the client-side rate limiter, the watch caches, <see cref="IWorkloadClient"/>, <see cref="IClusterCapacity"/>, <see cref="IWorkloadPods"/>,
    /// <see cref="IPolicyStore"/>,
    /// <see cref="IProposalStore"/>, <see cref="IEventRecorder"/> and <see cref="ILeadership"/> (a hosted service),
    /// and <see cref="WatchedNamespaces"/>. Options bind from the <c>Kubernetes</c> section.
    /// </summary>
    public static IServiceCollection AddScaleControlKubernetes(this IServiceCollection services, IConfiguration configuration) =>
        services.AddScaleControlKubernetes(options => configuration.GetSection(KubernetesOptions.SectionName).Bind(options));

    public static IServiceCollection AddScaleControlKubernetes(this IServiceCollection services, Action<KubernetesOptions> configure)
    {
        services.AddOptions<KubernetesOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KubernetesOptions>, KubernetesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<KubernetesOptions>>().Value);
        services.AddSingleton(sp => new WatchedNamespaces(sp.GetRequiredService<KubernetesOptions>().Namespaces));

        services.AddSingleton(sp =>
        {
            var throttle = sp.GetRequiredService<KubernetesOptions>().Throttle;
            return new PriorityTokenBucket(throttle.QueriesPerSecond, throttle.Burst, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IKubernetes>(sp => KubernetesClientFactory.Create(
            sp.GetRequiredService<KubernetesOptions>(),
            sp.GetRequiredService<PriorityTokenBucket>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<LeaderFence>()));

        services.AddSingleton<WorkloadCache>();
        services.AddSingleton<IWorkloadClient, KubernetesWorkloadClient>();
        services.AddSingleton<IClusterCapacity, KubernetesClusterCapacity>();
        services.AddSingleton<IWorkloadPods, KubernetesWorkloadPods>();

        services.AddSingleton(sp => CreateCache<ScalePolicy>(sp, ScaleControlResources.PolicyPlural, p => p.Metadata));
        services.AddSingleton(sp => CreateCache<ScaleProposal>(sp, ScaleControlResources.ProposalPlural, p => p.Metadata));
        services.AddSingleton(sp => CreateWriter<ScalePolicy>(sp, ScaleControlResources.PolicyPlural));
        services.AddSingleton(sp => CreateWriter<ScaleProposal>(sp, ScaleControlResources.ProposalPlural));
        services.AddSingleton<IPolicyStore, KubernetesPolicyStore>();
        services.AddSingleton<IProposalStore, KubernetesProposalStore>();
        services.AddSingleton<IEventRecorder, KubernetesEventRecorder>();

        services.AddSingleton<KubernetesLeadership>();
        services.AddSingleton(sp => new LeaderFence(sp.GetRequiredService<ILeadership>));
        services.AddSingleton<ILeadership>(sp =>
        {
            var options = sp.GetRequiredService<KubernetesOptions>();
            var elected = sp.GetRequiredService<KubernetesLeadership>();
            return options.LeaderElection.Enabled ? elected : new SingleReplicaLeadership(elected.Identity);
        });
        // Kept in the cluster with one replica too: a restart during an outage must go on with (and resolve) the
        // notice it opened, not leave that card saying "ongoing".
        services.AddSingleton<IFaultLedgerStore, ConfigMapFaultLedgerStore>();
        // Several replicas: a DingTalk callback signature used on one is refused on all (one replica: its own memory).
        services.AddSingleton<ICallbackReplayLedger>(sp =>
            sp.GetRequiredService<KubernetesOptions>().LeaderElection.Enabled
                ? ActivatorUtilities.CreateInstance<EventCallbackReplayLedger>(sp)
                : new ProcessOnlyReplayLedger());
        // Kept in the cluster with one replica too: a restart must not forget which approvals have scaled.
        services.AddSingleton<IUsedApprovalLedger, EventUsedApprovalLedger>();
        services.AddHostedService<KubernetesHostedServices>();
        return services;
    }

    private static ResourceCache<T> CreateCache<T>(IServiceProvider sp, string plural, Func<T, ObjectMeta> metadata)
        where T : class
    {
        var loggers = sp.GetRequiredService<ILoggerFactory>();
        var source = new CustomResourceSource<T>(sp.GetRequiredService<IKubernetes>(), plural, metadata, loggers.CreateLogger<CustomResourceSource<T>>());
        return new ResourceCache<T>(source, sp.GetRequiredService<KubernetesOptions>().Watch, sp.GetRequiredService<TimeProvider>(), loggers.CreateLogger<ResourceCache<T>>(),
            sp.GetRequiredService<WatchedNamespaces>().Scopes);
    }

    private static CustomResourceClient<T> CreateWriter<T>(IServiceProvider sp, string plural)
        where T : class =>
        new(sp.GetRequiredService<IKubernetes>(), plural, sp.GetRequiredService<KubernetesOptions>().FieldManager);
}

/// <summary>
/// Starts the watch caches at start-up (they also start on first use) and leader election when enabled. When the host
/// begins to stop (before any service stops), the caches are told, so watches failing during the shutdown say so once.
/// </summary>
internal sealed class KubernetesHostedServices(
    KubernetesOptions options,
    WorkloadCache workloads,
    ResourceCache<ScalePolicy> policies,
    ResourceCache<ScaleProposal> proposals,
    KubernetesLeadership leadership) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        workloads.HostStopping();
        policies.HostStopping();
        proposals.HostStopping();
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        workloads.Deployments.Start();
        workloads.StatefulSets.Start();
        workloads.HorizontalPodAutoscalers.Start();
        policies.Start();
        proposals.Start();
        return options.LeaderElection.Enabled ? leadership.StartAsync(cancellationToken) : Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        options.LeaderElection.Enabled ? leadership.StopAsync(cancellationToken) : Task.CompletedTask;
}
