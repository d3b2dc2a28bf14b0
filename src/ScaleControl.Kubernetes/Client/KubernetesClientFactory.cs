using k8s;
using Microsoft.Extensions.Logging;

namespace ScaleControl.Kubernetes.Client;

/// <summary>Builds the one <see cref="IKubernetes"/> of the process (it owns its HttpClient).</summary>
public static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesOptions options, PriorityTokenBucket bucket, TimeProvider time, ILoggerFactory loggers)
    {
        KubernetesJsonMetadata.UseReflection();
        var config = BuildConfiguration(options);
        config.HttpClientTimeout = TimeSpan.FromSeconds(options.RequestTimeoutSeconds);
        config.UserAgent = "scalecontrol";
        var throttling = new ThrottlingHandler(bucket, options.Throttle, time, loggers.CreateLogger<ThrottlingHandler>());
        return new k8s.Kubernetes(config, throttling);
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
