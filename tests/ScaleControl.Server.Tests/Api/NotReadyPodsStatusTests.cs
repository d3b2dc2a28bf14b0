using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Api;

/// <summary>
/// In a storm, READY stayed below CURRENT while new pods waited for a node, and the status said nothing of why. The real
/// server and Kubernetes adapters against the sandbox API server (real HTTP): its scheduler leaves pods Pending with
/// PodScheduled=False, reason Unschedulable and kube-scheduler's message when the nodes are full, and the status,
/// read over HTTP and asked in chat, says so in those words.
/// </summary>
public sealed class NotReadyPodsStatusTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string FullNodes =
        "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.";

    private SandboxHarness _sandbox = null!;
    private ServerFactory _server = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.PodStartupDelay = TimeSpan.FromSeconds(5);
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "1", "2Gi"));
            o.Nodes.Add(new SandboxNode("node-b", "1", "2Gi"));
        }, fakeTime: true, installCrds: true);

        // Two 600m pods fit (one per node), two more wait for room; the small one runs ready on the nodes' rest.
        _sandbox.Control.SeedDeployment(Ns, "checkout-api", replicas: 4, requests: new PodRequests("600m", "256Mi"));
        _sandbox.Control.SeedDeployment(Ns, "feed-api", replicas: 1, readyReplicas: 1);
        _sandbox.Control.ReconcileNow();
        _server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, "checkout-api"), default);
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, "feed-api"), default);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Status_PodsWaitingForANode_SaysSoInTheSchedulersWords_OverHttpAndInChat()
    {
        var checkout = await PolicyAsync("checkout-api", ready: 0);

        Assert.Equal((4, 0), (checkout.GetProperty("currentReplicas").GetInt32(), checkout.GetProperty("readyReplicas").GetInt32()));
        var notReady = checkout.GetProperty("notReady");
        Assert.Equal([$"2 of 4 pods Pending: {FullNodes}", "2 of 4 pods starting (not yet Ready)"], Lines(notReady));
        var pending = notReady.GetProperty("groups")[0];
        Assert.Equal(("Unschedulable", "Unschedulable", 2, FullNodes),
            (pending.GetProperty("cause").GetString(), pending.GetProperty("reason").GetString(), pending.GetProperty("pods").GetInt32(), pending.GetProperty("message").GetString()));
        Assert.Equal((4, 4, false), (notReady.GetProperty("pods").GetInt32(), notReady.GetProperty("podsRead").GetInt32(), notReady.GetProperty("truncated").GetBoolean()));

        var chat = await _server.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new StatusCommand(Ns, null), "zhangsan", "Zhang San", "status shop", "cidOnCall=="), default);
        Assert.Contains($"**shop/checkout-api** 4 replicas (0 ready) · Auto\n⏳ 2 of 4 pods Pending: {FullNodes}\n⏳ 2 of 4 pods starting (not yet Ready)", chat.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_BoundPodsBecomeReady_OnlyThePendingOnesAreExplained_AndAReadyWorkloadsPodsAreNeverListed()
    {
        await PolicyAsync("checkout-api", ready: 0);
        _sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        _sandbox.Control.ReconcileNow();

        var checkout = await PolicyAsync("checkout-api", ready: 2);
        var feed = await PolicyAsync("feed-api", ready: 1);

        Assert.Equal([$"2 of 4 pods Pending: {FullNodes}"], Lines(checkout.GetProperty("notReady")));
        Assert.Equal(JsonValueKind.Null, feed.GetProperty("notReady").ValueKind);
        var podLists = _sandbox.Control.Journal.Where(e => e.Resource == "pods" && e.Verb == "list").ToList();
        Assert.NotEmpty(podLists);
        Assert.All(podLists, e => Assert.Contains("labelSelector=app%3Dcheckout-api", e.Query, StringComparison.Ordinal));
    }

    /// <summary>The policy's row once its workload shows <paramref name="ready"/> ready (the watch delivers the sandbox's status write).</summary>
    private async Task<JsonElement> PolicyAsync(string name, int ready)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        JsonElement row = default;
        Assert.True(await Patience.UntilAsync(async () =>
        {
            using var response = await viewer.GetAsync("/api/v1/status");
            response.EnsureSuccessStatusCode();
            row = (await response.ReadJson()).GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
            return row.GetProperty("readyReplicas").ValueKind == JsonValueKind.Number && row.GetProperty("readyReplicas").GetInt32() == ready;
        }, 10), $"{name} never showed {ready} ready: {row}");
        return row;
    }

    private static string[] Lines(JsonElement notReady) => [.. notReady.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!)];
}
