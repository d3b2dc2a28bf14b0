using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Ports;
using ScaleControl.Kubernetes.Client;
using ScaleControl.Kubernetes.Tests.Infrastructure;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Kubernetes.Tests.Integration;

public class ThrottlingTests
{
    private static readonly WorkloadRef s_web = new("shop", "Deployment", "web");

    [Fact]
    public async Task ScaleAsync_ApiAnswers429WithRetryAfter_WaitsAndRetriesUntilApplied()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;
        using var throttle = sandbox.Control.InjectFault(SandboxFault.Throttle(TimeSpan.FromSeconds(1), times: 2) with { Resource = "deployments/scale" });
        var clock = Stopwatch.StartNew();

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 5, state.ResourceVersion, "qps", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After must be honoured, took {clock.Elapsed}");
        var writes = sandbox.Control.Journal.Where(e => e is { Verb: "update", Resource: "deployments/scale" }).Select(e => e.StatusCode).ToList();
        Assert.Equal([429, 429, 200], writes);
    }

    [Fact]
    public async Task ScaleAsync_WriteAppliedButAnswer500_RetryMeetsItsOwnChange_AppliedWithoutASecondWrite()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;
        // The API server applies the write, but its answer is lost: the client sees a 500 and repeats the PUT.
        using var lost = sandbox.Control.InjectFault(SandboxFault.LostAnswer(500, times: 1) with { Resource = "deployments/scale" });

        var result = await node.Workloads.ScaleAsync(new ScaleRequest(s_web, 5, state.ResourceVersion, "qps", null), CancellationToken.None);

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        Assert.Equal(5, result.Replicas);
        Assert.Contains("already at 5", result.Message, StringComparison.Ordinal);
        var writes = sandbox.Control.Journal.Where(e => e is { Verb: "update", Resource: "deployments/scale" }).ToList();
        Assert.Equal([(500, (int?)200), (409, null)], writes.Select(e => (e.StatusCode, e.ServedStatusCode)));
        Assert.Single(writes, e => e.Served);
        Assert.Equal(5, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
    }

    [Fact]
    public async Task Reads_ApiAnswers503_AreRetried_ButEventCreatesAreNot()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode(o => o.Throttle.BaseDelayMilliseconds = 10);
        using (sandbox.Control.InjectFault(SandboxFault.ServerError(503, times: 2) with { Verb = "list", Resource = "deployments" }))
        {
            Assert.NotNull(await node.Workloads.GetAsync(s_web, CancellationToken.None));
        }

        Assert.Equal([503, 503, 200], sandbox.Control.Journal.Where(e => e is { Verb: "list", Resource: "deployments" }).Select(e => e.StatusCode));

        using (sandbox.Control.InjectFault(SandboxFault.ServerError(503, times: 1) with { Verb = "create", Resource = "events" }))
        {
            await node.Events.RecordAsync(s_web, ScaleEventReasons.ScaledByScaleControl, "scaled 2 → 5", warning: false, CancellationToken.None);
        }

        Assert.Equal([503], sandbox.Control.Journal.Where(e => e is { Verb: "create", Resource: "events" }).Select(e => e.StatusCode));
    }

    [Fact]
    public async Task Requests_OverClientLimit_ScaleWriteOvertakesQueuedReads()
    {
        await using var sandbox = await KubernetesSandbox.StartAsync();
        sandbox.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        var node = sandbox.CreateNode();
        var state = (await node.Workloads.GetAsync(s_web, CancellationToken.None))!;
        // The limited replica runs on a fake clock: its bucket refills only when the test advances it, so the queue the
        // scale write meets is the same however slowly the machine runs.
        var time = new FakeTimeProvider();
        await using var limited = sandbox.CreateNode(o =>
        {
            o.Throttle.QueriesPerSecond = 20;
            o.Throttle.Burst = 1;
        }, time);
        await AdvanceUntilDoneAsync(time, limited.WorkloadCache.WaitForSyncAsync(CancellationToken.None)); // a list and a watch per kind, one token each
        time.Advance(TimeSpan.FromSeconds(1)); // the bucket full again: one token
        sandbox.Control.ClearJournal();
        var readsQueuedBefore = limited.Bucket.QueuedCounts[(int)RequestPriority.Read];

        var reads = Enumerable.Range(0, 10)
            .Select(_ => limited.Client.CoreV1.ReadNamespaceWithHttpMessagesAsync("shop").ContinueWith(_ => 0, TaskScheduler.Default))
            .ToList();
        await Eventually.TrueAsync(() => limited.Bucket.QueuedCounts[(int)RequestPriority.Read] - readsQueuedBefore >= 9, "the reads queue (all but one that may have had the token)");
        var scale = limited.Workloads.ScaleAsync(new ScaleRequest(s_web, 4, state.ResourceVersion, "qps", null), CancellationToken.None);
        await Eventually.TrueAsync(() => limited.Bucket.QueuedCounts[(int)RequestPriority.ScaleWrite] == 1, "the scale write queues");
        var result = await AdvanceUntilDoneAsync(time, scale);
        await AdvanceUntilDoneAsync(time, Task.WhenAll(reads));

        Assert.Equal(ScaleOutcome.Applied, result.Outcome);
        var order = sandbox.Control.Journal.Where(e => e.Verb is "get" or "update").Select(e => e.Verb).ToList();
        Assert.True(order.IndexOf("update") <= 1, $"the scale write waited behind queued reads: {string.Join(",", order)}");
        Assert.Equal(10, order.Count(v => v == "get"));
    }

    /// <summary>Advances the fake clock in token-sized steps until <paramref name="task"/> is done (bounded in real time).</summary>
    private static async Task<T> AdvanceUntilDoneAsync<T>(FakeTimeProvider time, Task<T> task)
    {
        await AdvanceUntilDoneAsync(time, (Task)task);
        return await task;
    }

    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider time, Task task)
    {
        var waited = Stopwatch.StartNew();
        while (!task.IsCompleted && waited.Elapsed < Patience.Of(10))
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(task, Task.Delay(20));
        }

        if (!task.IsCompleted)
        {
            throw new TimeoutException($"not done after advancing the fake clock for {waited.Elapsed.TotalSeconds:0} s of real time");
        }

        await task;
    }
}
