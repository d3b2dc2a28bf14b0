using Microsoft.Extensions.Time.Testing;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Kubernetes.Tests.Client;

public class PriorityTokenBucketTests
{
    [Fact]
    public async Task AcquireAsync_WithinBurst_CompletesImmediately()
    {
        var time = new FakeTimeProvider();
        using var bucket = new PriorityTokenBucket(tokensPerSecond: 1, burst: 3, time);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None).IsCompleted);
        }

        Assert.False(bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None).IsCompleted);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AcquireAsync_WhenEmpty_ServesWaitersInPriorityOrder()
    {
        var time = new FakeTimeProvider();
        using var bucket = new PriorityTokenBucket(tokensPerSecond: 10, burst: 1, time);
        await bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None);

        var order = new List<RequestPriority>();
        var waits = new[] { RequestPriority.Housekeeping, RequestPriority.Read, RequestPriority.Event, RequestPriority.StatusWrite, RequestPriority.ScaleWrite }
            .Select(async p =>
            {
                await bucket.AcquireAsync(p, CancellationToken.None);
                lock (order)
                {
                    order.Add(p);
                }
            })
            .ToList();

        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await WaitUntil(() => order.Count == i + 1);
        }

        await Task.WhenAll(waits);
        Assert.Equal([RequestPriority.ScaleWrite, RequestPriority.StatusWrite, RequestPriority.Read, RequestPriority.Event, RequestPriority.Housekeeping], order);
    }

    [Fact]
    public async Task AcquireAsync_NewScaleWrite_OvertakesQueuedReads()
    {
        var time = new FakeTimeProvider();
        using var bucket = new PriorityTokenBucket(tokensPerSecond: 1, burst: 1, time);
        await bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None);
        var read = bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None).AsTask();
        var write = bucket.AcquireAsync(RequestPriority.ScaleWrite, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => write.IsCompleted);

        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await read;
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_ThrowsAndDoesNotConsumeAToken()
    {
        var time = new FakeTimeProvider();
        using var bucket = new PriorityTokenBucket(tokensPerSecond: 1, burst: 1, time);
        await bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var cancelled = bucket.AcquireAsync(RequestPriority.Read, cts.Token).AsTask();
        var next = bucket.AcquireAsync(RequestPriority.Read, CancellationToken.None).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(Patience.Of(5));
    }

    /// <summary>The fake clock released the waiter; its continuation runs on the thread pool, as soon as a busy machine lets it.</summary>
    private static async Task WaitUntil(Func<bool> condition) => Assert.True(await Patience.UntilAsync(condition, 5));
}
