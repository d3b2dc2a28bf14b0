using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Freezes and unfreezes were kept in each replica's memory: a restart or a leader change lost who froze a policy, when,
/// why and through which channel, and another replica never showed them. They are now recorded on the policy in the
/// same write as the freeze. The real server and Kubernetes adapters against the sandbox API server (real HTTP), each
/// <see cref="ServerFactory"/> a server process of its own over the same cluster.
/// </summary>
public sealed class OverrideRecordClusterTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";

    private SandboxHarness _sandbox = null!;
    private readonly List<ServerFactory> _servers = [];

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxHarness.StartAsync(o => o.RunControllerLoop = false, installCrds: true);
        _sandbox.Control.SeedDeployment(Ns, Workload, replicas: 4, readyReplicas: 4);
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task FreezeUnfreezeAndPin_ANewServerOverTheSameCluster_ShowsThemInOrderInTheApiAndChat()
    {
        var first = Server();
        await first.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, Workload), default);
        using (var client = first.ClientWith(AdminToken))
        {
            (await client.PostJson($"/api/v1/policies/{Ns}/{Workload}/freeze", new { durationSeconds = 3600, reason = "db migration" })).EnsureSuccessStatusCode();
            first.Time.Advance(TimeSpan.FromMinutes(5));
            (await client.PostJson($"/api/v1/workloads/{Ns}/{Workload}/pin", new { replicas = 6, durationSeconds = 600, reason = "hold for the load test" })).EnsureSuccessStatusCode();
            first.Time.Advance(TimeSpan.FromMinutes(5));
        }

        var unfrozen = await first.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new UnfreezeCommand(Ns, Workload), "zhangsan", "Zhang San", $"unfreeze {Ns}/{Workload}", "cidOnCall==", "robot:msg-1"), default);
        Assert.Equal(CommandOutcome.Done, unfrozen.Outcome);
        await first.DisposeAsync();

        var restarted = Server(first.Time);
        using var viewer = restarted.ClientWith(ViewerToken);
        using var history = await viewer.GetAsync($"/api/v1/history?namespace={Ns}");
        var rows = (await history.ReadJson()).EnumerateArray()
            .Select(r => (Kind: r.GetProperty("kind").GetString(), By: r.GetProperty("by").GetString(), Channel: r.GetProperty("channel").GetString()))
            .ToList();

        // Newest first: the unfreeze in chat, the pin (a ScaleProposal), the freeze over the API with its reason.
        Assert.Equal([("Unfrozen", "zhangsan", "DingTalkChat"), ("Pinned", "admin", "Api"), ("Frozen", "admin", "Api")], rows);
        Assert.Equal("db migration", Text((await FrozenRows(restarted))[0], "reason"));
        var chat = await restarted.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new HistoryCommand(Ns, Workload), "zhangsan", "Zhang San", $"history {Ns}/{Workload}", "cidOnCall=="), default);
        Assert.Contains("Unfrozen by zhangsan (DingTalkChat)", chat.Markdown, StringComparison.Ordinal);
        Assert.Contains("Frozen by admin (Api)", chat.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freeze_RetriedOnAnotherReplicaWithTheSameIdempotencyKey_WrittenAndRecordedOnce()
    {
        var one = Server();
        var other = Server(one.Time);
        await one.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, Workload), default);
        var body = new { durationSeconds = 3600, reason = "db migration" };

        using var first = await Post(one, body);
        var written = (string?)_sandbox.Control.Get(ScalePolicy.ApiVersionValue, ScalePolicy.KindValue, Ns, Workload)!["metadata"]!["resourceVersion"];
        using var retried = await Post(other, body); // its watch cache may not have the first write yet: the write's precondition finds it

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        Assert.Contains("already carried out at 2026-11-25 10:00:00Z", Assert.Single(retried.Headers.Warning).Text, StringComparison.Ordinal);
        var stored = _sandbox.Control.Get(ScalePolicy.ApiVersionValue, ScalePolicy.KindValue, Ns, Workload)!;
        Assert.Equal(written, (string?)stored["metadata"]!["resourceVersion"]);
        Assert.Single(stored["metadata"]!["annotations"]!.AsObject(), a => a.Key.StartsWith(OverrideRecords.AnnotationPrefix, StringComparison.Ordinal));
        Assert.True(await Patience.UntilAsync(() => FrozenRows(other).GetAwaiter().GetResult().Count == 1, 10));
        Assert.Single(await FrozenRows(one));
        Assert.Single(one.Notices.Published.Concat(other.Notices.Published), n => n.Kind == NoticeKind.Frozen);
    }

    private ServerFactory Server(Microsoft.Extensions.Time.Testing.FakeTimeProvider? clock = null)
    {
        var server = new ServerFactory { KubernetesApi = _sandbox.Server.BaseUri };
        if (clock is not null)
        {
            server.Time.SetUtcNow(clock.GetUtcNow());
        }

        _servers.Add(server);
        return server;
    }

    private static async Task<HttpResponseMessage> Post(ServerFactory server, object body)
    {
        using var client = server.ClientWith(AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/policies/{Ns}/{Workload}/freeze") { Content = JsonContent.Create(body, options: Http.Json) };
        request.Headers.Add("Idempotency-Key", "3f9c1e7a-freeze-db-migration");
        return await client.SendAsync(request);
    }

    private static async Task<List<JsonElement>> FrozenRows(ServerFactory server)
    {
        using var client = server.ClientWith(ViewerToken);
        var rows = await (await client.GetAsync($"/api/v1/history?namespace={Ns}")).ReadJson();
        return [.. rows.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "Frozen")];
    }

    private static string? Text(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
