using k8s;
using Microsoft.Extensions.Logging;
using ScaleControl.Kubernetes.Leadership;

namespace ScaleControl.Kubernetes.Client;

/// <summary>Builds the one <see cref="IKubernetes"/> of the process (it owns its HttpClient).</summary>
public static class KubernetesClientFactory
{
    /// <param name="fence">Refuses a control-loop tick's writes once this replica stopped leading (null: no fence).</param>
    public static IKubernetes Create(KubernetesOptions options, PriorityTokenBucket bucket, TimeProvider time, ILoggerFactory loggers, LeaderFence? fence = null)
    {
        KubernetesJsonMetadata.UseReflection();
        var config = BuildConfiguration(options);
        config.HttpClientTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        config.UserAgent = UserAgent(KubernetesLeadership.ResolveIdentity(options.LeaderElection.Identity));
        var throttling = new ThrottlingHandler(bucket, options.Throttle, time, loggers.CreateLogger<ThrottlingHandler>());
        // The first handler is the outermost: the fence checks after the rate limiter's wait, right before sending.
        return fence is null ? new k8s.Kubernetes(config, throttling) : new k8s.Kubernetes(config, throttling, new LeaderFencingHandler(fence));
    }

    /// <summary><c>scalecontrol/&lt;replica&gt;</c>: the API server's audit log (and the sandbox's journal) tell the replicas' writes apart.</summary>
    public static string UserAgent(string identity)
    {
        var token = new string([.. identity.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-')]);
        return token.Length == 0 ? "scalecontrol" : $"scalecontrol/{token}";
    }

    /// <summary>Explicit host, then an explicit kubeconfig, then in-cluster, then the default kubeconfig.</summary>
    public static KubernetesClientConfiguration BuildConfiguration(KubernetesOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Host))
        {
            var host = options.Host.EndsWith('/') ? options.Host : options.Host + "/";
            return new KubernetesClientConfiguration { Host = host };
        }

        if (!string.IsNullOrWhiteSpace(options.KubeconfigPath))
        {
            return KubeconfigFile.Load(options.KubeconfigPath, options.Context);
        }

        if (KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.Context);
    }
}
