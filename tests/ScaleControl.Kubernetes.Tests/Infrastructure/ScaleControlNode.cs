using k8s;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Kubernetes.Workloads;

namespace ScaleControl.Kubernetes.Tests.Infrastructure;

/// <summary>One ScaleControl replica composed exactly as the server composes it (AddScaleControlKubernetes).</summary>
internal sealed class ScaleControlNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ScaleControlNode(Uri apiServer, Action<KubernetesOptions>? configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        if (time is not null)
        {
            services.AddSingleton(time); // the adapter only adds the system clock when none is registered
        }

        services.AddScaleControlKubernetes(o =>
        {
            o.Host = apiServer.ToString();
            o.RequestTimeoutSeconds = 20;
            o.LeaderElection.Enabled = false;
            o.Throttle.QueriesPerSecond = 5_000;
            o.Throttle.Burst = 5_000;
            o.Watch.ReconnectsPerSecond = 20;
            o.Watch.ReconnectBurst = 20;
            o.Watch.IdleTimeoutSeconds = 30;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider();
    }

    public IServiceProvider Services => _services;

    public IKubernetes Client => _services.GetRequiredService<IKubernetes>();

    public IWorkloadClient Workloads => _services.GetRequiredService<IWorkloadClient>();

    public WorkloadCache WorkloadCache => _services.GetRequiredService<WorkloadCache>();

    public IPolicyStore Policies => _services.GetRequiredService<IPolicyStore>();

    public IProposalStore Proposals => _services.GetRequiredService<IProposalStore>();

    public ResourceCache<ScalePolicy> PolicyCache => _services.GetRequiredService<ResourceCache<ScalePolicy>>();

    public ResourceCache<ScaleProposal> ProposalCache => _services.GetRequiredService<ResourceCache<ScaleProposal>>();

    public IEventRecorder Events => _services.GetRequiredService<IEventRecorder>();

    public PriorityTokenBucket Bucket => _services.GetRequiredService<PriorityTokenBucket>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
