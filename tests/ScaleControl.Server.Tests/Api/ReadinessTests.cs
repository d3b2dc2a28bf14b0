using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Server.Api;
using ScaleControl.Testing.Stores;

namespace ScaleControl.Server.Tests.Api;

/// <summary><c>/readyz</c>'s store check says why the stores do not answer when their watch cache could not list.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task StoresCheck_PolicyCacheCannotList_IsUnhealthyWithTheApiServersReason()
    {
        await using var cache = new ResourceCache<ScalePolicy>(new NotServedSource(), new WatchOptions(), TimeProvider.System, NullLogger.Instance);
        cache.Start();
        for (var i = 0; i < 500 && cache.LastFailure is null; i++)
        {
            await Task.Delay(10); // the cache's loop lists on the thread pool
        }

        var services = new ServiceCollection().AddSingleton(cache).BuildServiceProvider();
        var check = new StoresReadyCheck(new WaitingPolicyStore(), new InMemoryProposalStore(TimeProvider.System), services);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("cannot read scalepolicies: the API server does not serve it (404): the server could not find the requested resource", result.Description);
    }

    [Fact]
    public async Task StoresCheck_StoresAnswer_IsHealthy()
    {
        var check = new StoresReadyCheck(new InMemoryPolicyStore(TimeProvider.System), new InMemoryProposalStore(TimeProvider.System), new ServiceCollection().BuildServiceProvider());

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    /// <summary>A store over a cache that never syncs: it waits as long as its caller lets it.</summary>
    private sealed class WaitingPolicyStore : IPolicyStore
    {
        public async Task<IReadOnlyList<ScalePolicy>> ListAsync(string? @namespace, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        }

        public Task<ScalePolicy?> GetAsync(string @namespace, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ScalePolicy> UpsertAsync(ScalePolicy policy, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ScalePolicy> UpdateStatusAsync(ScalePolicy policy, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>A cluster without the CRDs: every list is a 404 with the apiserver's Status.</summary>
    private sealed class NotServedSource : IResourceSource<ScalePolicy>
    {
        public string Name => "scalepolicies";

        public Task<(IReadOnlyList<ScalePolicy> Items, string ResourceVersion)> ListAsync(string? @namespace, CancellationToken cancellationToken) =>
            throw new HttpOperationException("Operation returned an invalid status code 'NotFound'")
            {
                Response = new HttpResponseMessageWrapper(
                    new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" },
                    """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404}"""),
            };

        public async IAsyncEnumerable<(WatchEventType Type, ScalePolicy Object)> WatchAsync(
            string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        public string KeyOf(ScalePolicy item) => item.Key;

        public string? ResourceVersionOf(ScalePolicy item) => item.Metadata.ResourceVersion;
    }
}
