using System.Text.Json;
using ScaleControl.Core.Pods;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// The dashboard polls every 1.5 s: a workload's pods are listed once per <see cref="NotReadyPodsReader.MaxAge"/> while
/// its counts stay, again at once when they move, and never for a workload whose pods are all ready.
/// </summary>
public sealed class NotReadyPodsReadTests : IAsyncLifetime
{
    private const string FullNodes = "0/4 nodes are available: 4 Insufficient cpu.";
    private readonly ServerFactory _server = new();

    public async Task InitializeAsync()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("shop", "checkout-api"), default);
        await _server.Policies.UpsertAsync(TestPolicies.Auto("feed", "feed-api"), default);
        _server.Workloads.Add("shop", "checkout-api", 12);
        _server.Workloads.SetReady("shop", "checkout-api", 9);
        _server.Workloads.Add("feed", "feed-api", 4);
        _server.Workloads.Pods["shop/checkout-api"] = new WorkloadPods(
            [.. Enumerable.Range(0, 12).Select(i => i < 9
                ? new PodFacts($"p{i}", true, false, true, null, null, [])
                : new PodFacts($"p{i}", false, false, false, "Unschedulable", FullNodes, []))],
            false);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DashboardPolls_ListThePodsOncePerMaxAge_AgainWhenTheCountsMove_NeverForAReadyWorkload()
    {
        using var viewer = _server.ClientWith(ViewerToken);

        var first = await NotReadyAsync(viewer);
        _server.Time.Advance(TimeSpan.FromSeconds(1.5));
        await NotReadyAsync(viewer);
        _server.Time.Advance(TimeSpan.FromSeconds(1.5));
        await NotReadyAsync(viewer);
        var withinAge = _server.Workloads.PodLists;

        _server.Time.Advance(NotReadyPodsReader.MaxAge);
        await NotReadyAsync(viewer);
        var afterAge = _server.Workloads.PodLists;

        _server.Workloads.SetReady("shop", "checkout-api", 10);
        await NotReadyAsync(viewer);

        Assert.Equal([$"3 of 12 pods Pending: {FullNodes}"], first);
        Assert.Equal((1, 2, 3), (withinAge, afterAge, _server.Workloads.PodLists));
    }

    private static async Task<string[]> NotReadyAsync(HttpClient viewer)
    {
        using var response = await viewer.GetAsync("/api/v1/dashboard?minutes=5");
        response.EnsureSuccessStatusCode();
        var policies = (await response.ReadJson()).GetProperty("status").GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, policies.Single(p => p.GetProperty("name").GetString() == "feed-api").GetProperty("notReady").ValueKind);
        var checkout = policies.Single(p => p.GetProperty("name").GetString() == "checkout-api").GetProperty("notReady");
        return [.. checkout.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!)];
    }
}
