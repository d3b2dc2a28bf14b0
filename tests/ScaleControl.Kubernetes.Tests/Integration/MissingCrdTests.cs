using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ScaleControl.Core.Policies;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Resources;
using ScaleControl.Kubernetes.Tests.Infrastructure;

namespace ScaleControl.Kubernetes.Tests.Integration;

/// <summary>
/// A cluster without the CRDs (helm install --skip-crds, or CRDs deleted): the cache cannot list, and the log says what
/// is missing and how to install it rather than "the server could not find the requested resource" and a stack trace.
/// </summary>
public class MissingCrdTests
{
    [Fact]
    public async Task PolicyCache_WithoutTheCrd_LogsThatTheCrdsAreNotInstalled()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync(installCrds: false);
        var log = new CapturingLogger<ResourceCache<ScalePolicy>>();
        var source = new CustomResourceSource<ScalePolicy>(sandbox.Client, ScaleControlResources.PolicyPlural, p => p.Metadata, NullLogger.Instance);
        await using var cache = new ResourceCache<ScalePolicy>(source, new WatchOptions(), TimeProvider.System, log);

        cache.Start();

        await Eventually.TrueAsync(() => !log.Entries.IsEmpty, "the failed list is logged");
        var (level, message) = log.Entries.First();
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("does not serve scalepolicies (404", message, StringComparison.Ordinal);
        Assert.Contains("kubectl apply -f charts/scalecontrol/crds/", message, StringComparison.Ordinal);
        Assert.False(cache.IsSynced);
    }
}
