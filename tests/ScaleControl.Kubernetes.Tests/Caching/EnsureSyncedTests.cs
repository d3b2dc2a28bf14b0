using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Tests.Infrastructure;

namespace ScaleControl.Kubernetes.Tests.Caching;

/// <summary>
/// A reader of a cache whose first list keeps failing gets the API server's reason at once instead of waiting as long
/// as its caller lets it (before: a tick of the control loop waited forever on a cache RBAC would not let list).
/// </summary>
public sealed class EnsureSyncedTests
{
    private const string Refusal = "statefulsets.apps is forbidden: User \"system:serviceaccount:ops:scalecontrol\" cannot list resource \"statefulsets\" in API group \"apps\" at the cluster scope";

    [Fact]
    public async Task EnsureSynced_ListRefused_ThrowsTheApiServersReason_AndPassesOnceAListSucceeds()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T20:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var source = new ScriptedSource { Refusals = 2 };
        await using var cache = new ResourceCache<V1StatefulSet>(source, new WatchOptions(), time, NullLogger.Instance);

        cache.Start();
        await Eventually.TrueAsync(() => cache.LastFailure is not null, "the refused list is recorded");
        var refused = await Assert.ThrowsAsync<CacheNotSyncedException>(() => cache.EnsureSyncedAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal($"cannot read statefulsets: 403 Forbidden: {Refusal}", refused.Message);
        Assert.Equal(("statefulsets", 1, time.GetUtcNow()), (refused.Resource, refused.Failure.Failures, refused.Failure.At));

        // The cache keeps trying with back-off; the second refusal counts, then a list succeeds.
        await AdvanceUntilAsync(time, () => source.Lists >= 2 && cache.LastFailure is { Failures: 2 });
        var again = await Assert.ThrowsAsync<CacheNotSyncedException>(() => cache.EnsureSyncedAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal((refused.Message, 2), (again.Message, again.Failure.Failures)); // the same cause, counted
        await AdvanceUntilAsync(time, () => cache.IsSynced);

        await cache.EnsureSyncedAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Null(cache.LastFailure);
        Assert.NotNull(cache.Get("video/video-transcoder"));
    }

    [Fact]
    public async Task EnsureSynced_FirstListNeitherAnswersNorFails_ThrowsAfterThePatience()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedSource { Hang = true };
        await using var cache = new ResourceCache<V1StatefulSet>(source, new WatchOptions(), time, NullLogger.Instance);

        var waiting = cache.EnsureSyncedAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var slow = await Assert.ThrowsAsync<CacheNotSyncedException>(() => waiting);
        Assert.Equal("cannot read statefulsets: the first list has not completed in 30 s", slow.Message);
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done)
    {
        for (var i = 0; i < 600 && !done(); i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5); // the cache's loop runs on the thread pool
        }

        Assert.True(done(), "the cache reached the expected state");
    }

    /// <summary>Refuses the first lists as RBAC does (403 with the apiserver's Status), then serves one StatefulSet.</summary>
    private sealed class ScriptedSource : IResourceSource<V1StatefulSet>
    {
        private int _lists;

        public int Refusals { get; init; }

        public bool Hang { get; init; }

        public int Lists => Volatile.Read(ref _lists);

        public string Name => "statefulsets";

        public async Task<(IReadOnlyList<V1StatefulSet> Items, string ResourceVersion)> ListAsync(string? @namespace, CancellationToken cancellationToken)
        {
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            if (Interlocked.Increment(ref _lists) <= Refusals)
            {
                var status = $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(Refusal)}},"reason":"Forbidden","code":403}""";
                throw new HttpOperationException("Operation returned an invalid status code 'Forbidden'")
                {
                    Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden) { ReasonPhrase = "Forbidden" }, status),
                };
            }

            return ([new V1StatefulSet { Metadata = new V1ObjectMeta { Name = "video-transcoder", NamespaceProperty = "video", ResourceVersion = "7" } }], "7");
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1StatefulSet Object)> WatchAsync(
            string? @namespace, string resourceVersion, int timeoutSeconds, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            yield break;
        }

        public string KeyOf(V1StatefulSet item) => $"{item.Metadata.NamespaceProperty}/{item.Metadata.Name}";

        public string? ResourceVersionOf(V1StatefulSet item) => item.Metadata.ResourceVersion;
    }
}
