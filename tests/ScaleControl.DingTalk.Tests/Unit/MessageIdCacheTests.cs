using Microsoft.Extensions.Time.Testing;
using ScaleControl.DingTalk.Stream;

namespace ScaleControl.DingTalk.Tests.Unit;

public class MessageIdCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task GetOrHandleAsync_SameMessageIdTwice_HandlesOnceAndRepeatsTheAck()
    {
        var cache = new MessageIdCache(_time);
        var calls = 0;

        var first = await cache.GetOrHandleAsync("m1", () => Task.FromResult<string?>($"ack-{++calls}"), out var firstDuplicate);
        var second = await cache.GetOrHandleAsync("m1", () => Task.FromResult<string?>($"ack-{++calls}"), out var secondDuplicate);

        Assert.Equal(1, calls);
        Assert.Equal("ack-1", first);
        Assert.Equal("ack-1", second);
        Assert.False(firstDuplicate);
        Assert.True(secondDuplicate);
    }

    [Fact]
    public async Task GetOrHandleAsync_RedeliveryWhileFirstStillRuns_WaitsForTheSameWork()
    {
        var cache = new MessageIdCache(_time);
        var release = new TaskCompletionSource<string?>();
        var calls = 0;

        var first = cache.GetOrHandleAsync("m1", () => { calls++; return release.Task; }, out _);
        var second = cache.GetOrHandleAsync("m1", () => { calls++; return Task.FromResult<string?>("other"); }, out var duplicate);
        release.SetResult("ack");

        Assert.True(duplicate);
        Assert.Equal("ack", await first);
        Assert.Equal("ack", await second);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task GetOrHandleAsync_AfterLifetime_HandlesAgain()
    {
        var cache = new MessageIdCache(_time, TimeSpan.FromMinutes(5));
        var calls = 0;
        await cache.GetOrHandleAsync("m1", () => Task.FromResult<string?>($"{++calls}"), out _);

        _time.Advance(TimeSpan.FromMinutes(5));
        var again = await cache.GetOrHandleAsync("m1", () => Task.FromResult<string?>($"{++calls}"), out var duplicate);

        Assert.False(duplicate);
        Assert.Equal("2", again);
    }

    [Fact]
    public async Task GetOrHandleAsync_OverCapacity_StaysBounded()
    {
        var cache = new MessageIdCache(_time, capacity: 100);
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await cache.GetOrHandleAsync($"m{i}", () => Task.FromResult<string?>("ack"), out _);
        }

        Assert.InRange(cache.Count, 1, 101);
    }

    [Fact]
    public void GetOrHandleAsync_ManyConcurrentDuplicates_HandleOnce()
    {
        var cache = new MessageIdCache(_time);
        var calls = 0;

        Parallel.For(0, 64, i =>
        {
            var ack = cache.GetOrHandleAsync("m", () => Task.FromResult(Interlocked.Increment(ref calls)).ContinueWith(t => (string?)"ack", TaskScheduler.Default), out var duplicate);
            ack.Wait();
        });

        Assert.Equal(1, calls);
    }
}
