using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Testing.Kubernetes;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Someone who may edit ScalePolicies (not use ScaleControl) writes override records (<see cref="OverrideRecords"/>) with
/// kubectl. Before, the history told "frozen by zhangsan via DingTalk" of a freeze nobody made, and a record written
/// ahead under the id a request's Idempotency-Key gives made that real freeze answer "already carried out" without
/// freezing. Records are signed now (<see cref="OverrideRecordSigner"/>). The real server and Kubernetes adapters against
/// the sandbox API server, the history over real HTTP, the forger's writes through the real kubectl.
/// </summary>
public sealed class OverrideRecordForgeryTests : IAsyncLifetime
{
    private const string Ns = "shop";
    private const string Workload = "checkout-api";
    private const string Other = "search-api";

    private ServerOnSandboxApi _world = null!;
    private ServerFactory _server = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _world = await ServerOnSandboxApi.StartAsync(Ns, Workload, Other);
        (_server, _kubectl) = (_world.Server, _world.Kubectl);
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, Workload), default);
        await _server.Service<IPolicyStore>().UpsertAsync(TestPolicies.Auto(Ns, Other), default);
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task ForgedFreezeRecords_WrittenWithKubectl_HistoryMarksThemUnverified_NeverShowsThemAsFact()
    {
        const string message = "frozen until 2026-11-25 12:00:00Z by zhangsan: maintenance";
        var unsigned = Forged(message); // as a record written before records were signed looks, too
        var badlySigned = Forged(message, signature: Convert.ToBase64String(new byte[32]));

        await AnnotateAsync(Workload, ("forged-unsigned", unsigned), ("forged-signed", badlySigned));

        var frozen = await RowsAsync("Frozen");
        Assert.Equal(2, frozen.Count);
        Assert.All(frozen, row => Assert.True(row.GetProperty("unverified").GetBoolean()));
        Assert.Equal(
            [HistoryService.UnsignedPrefix + message, HistoryService.ForgedPrefix + message],
            frozen.Select(row => row.GetProperty("message").GetString()).Order(StringComparer.Ordinal));
        var chat = await _server.Service<ICommandInbox>().ExecuteAsync(
            new CommandRequest(new HistoryCommand(Ns, Workload), "zhangsan", "Zhang San", $"history {Ns}/{Workload}", "cidOnCall=="), default);
        Assert.Equal(2, chat.Markdown.Split("Frozen by zhangsan (DingTalk) — unverified record").Length - 1);
    }

    [Fact]
    public async Task Freeze_AForgedRecordWrittenAheadUnderItsRequestsId_IsCarriedOut_ItsSignedRecordReplacesTheForgedOne()
    {
        const string key = "3f9c1e7a-freeze-db-migration";
        var id = OverrideRecords.IdFor("admin", key);
        await AnnotateAsync(Workload, (id, Forged("frozen by admin: db migration", by: "admin", channel: "Api")));

        using var client = _server.ClientWith(AdminToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/policies/{Ns}/{Workload}/freeze")
        {
            Content = JsonContent.Create(new { durationSeconds = 3600, reason = "db migration" }, options: Http.Json),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.Warning); // not "this request was already carried out"
        Assert.NotNull(StoredPolicy(Workload)["spec"]!["freeze"]);
        Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);
        var policy = await StoredAsync(Workload);
        var record = Assert.Single(OverrideRecords.Of(policy));
        Assert.Equal((id, "db migration"), (record.Id, record.Reason));
        Assert.True(_server.Service<OverrideRecordSigner>().Verifies(policy, record));
    }

    [Fact]
    public async Task Freeze_ItsRecordVerifies_AndTheHistoryShowsItAsFact()
    {
        using var client = _server.ClientWith(AdminToken);
        (await client.PostJson($"/api/v1/policies/{Ns}/{Workload}/freeze", new { durationSeconds = 3600, reason = "db migration" })).EnsureSuccessStatusCode();

        var policy = await StoredAsync(Workload);
        Assert.True(_server.Service<OverrideRecordSigner>().Verifies(policy, Assert.Single(OverrideRecords.Of(policy))));
        var row = Assert.Single(await RowsAsync("Frozen"));
        Assert.False(row.TryGetProperty("unverified", out _));
        Assert.Equal("frozen until 2026-11-25 11:00:00Z by admin: db migration", row.GetProperty("message").GetString());
    }

    [Fact]
    public async Task RealRecord_CopiedToAnotherPolicyOrUnderAnotherId_DoesNotVerify()
    {
        using var client = _server.ClientWith(AdminToken);
        (await client.PostJson($"/api/v1/policies/{Ns}/{Workload}/freeze", new { durationSeconds = 3600, reason = "db migration" })).EnsureSuccessStatusCode();
        var (key, json) = StoredPolicy(Workload)["metadata"]!["annotations"]!.AsObject().Single(a => a.Key.StartsWith(OverrideRecords.AnnotationPrefix, StringComparison.Ordinal));
        var id = key[OverrideRecords.AnnotationPrefix.Length..];

        await AnnotateAsync(Other, (id, (string)json!));
        await AnnotateAsync(Workload, ("copied", (string)json!));

        var signer = _server.Service<OverrideRecordSigner>();
        var other = await StoredAsync(Other);
        Assert.False(signer.Verifies(other, Assert.Single(OverrideRecords.Of(other))));
        var records = OverrideRecords.Of(await StoredAsync(Workload)).ToDictionary(r => r.Id);
        Assert.Equal((true, false), (signer.Verifies(await StoredAsync(Workload), records[id]), signer.Verifies(await StoredAsync(Workload), records["copied"])));
        var rows = await RowsAsync("Frozen");
        Assert.Equal(
            [(Workload, false), (Workload, true), (Other, true)],
            rows.Select(r => (r.GetProperty("policy").GetString()!, r.TryGetProperty("unverified", out _))).Order());
    }

    [Fact]
    public async Task Freeze_OnAPolicyFullOfForgedRecordsDatedLater_RetentionKeepsItsRecord_DropsAForgedOne()
    {
        var forged = Enumerable.Range(0, 20).Select(i => ($"forged-{i:D2}", Forged($"frozen by zhangsan #{i}", at: _server.Time.GetUtcNow().AddDays(365 + i)))).ToArray();
        await AnnotateAsync(Workload, forged);

        using var client = _server.ClientWith(AdminToken);
        (await client.PostJson($"/api/v1/policies/{Ns}/{Workload}/freeze", new { durationSeconds = 3600, reason = "db migration" })).EnsureSuccessStatusCode();

        var kept = OverrideRecords.Of(await StoredAsync(Workload)).ToList();
        Assert.Equal(20, kept.Count); // the default MaxPerPolicy
        Assert.Contains(kept, r => r.Reason == "db migration");
        Assert.DoesNotContain(kept, r => r.Id == "forged-00"); // the forged one dated earliest went
    }

    /// <summary>A record as ScaleControl's JSON spells one, written by someone else.</summary>
    private string Forged(string message, string by = "zhangsan", string channel = "DingTalk", string? signature = null, DateTimeOffset? at = null)
    {
        var record = new JsonObject
        {
            ["time"] = (at ?? _server.Time.GetUtcNow().AddMinutes(-5)).ToString("O"),
            ["kind"] = "Frozen",
            ["workload"] = Workload,
            ["by"] = by,
            ["channel"] = channel,
            ["message"] = message,
            ["reason"] = "maintenance",
        };
        if (signature is not null)
        {
            record["signature"] = signature;
        }

        return record.ToJsonString();
    }

    /// <summary>The forger's <c>kubectl annotate</c> of records onto <paramref name="policy"/>.</summary>
    private Task AnnotateAsync(string policy, params (string Id, string Json)[] records) =>
        _kubectl.AnnotatePolicyAsync(_server.Service<IPolicyStore>(), Ns, policy, [.. records.Select(r => (OverrideRecords.AnnotationPrefix + r.Id, r.Json))]);

    private async Task<List<JsonElement>> RowsAsync(string kind)
    {
        using var viewer = _server.ClientWith(ViewerToken);
        var rows = await (await viewer.GetAsync($"/api/v1/history?namespace={Ns}")).ReadJson();
        return [.. rows.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == kind)];
    }

    private async Task<ScalePolicy> StoredAsync(string policy) => (await _server.Service<IPolicyStore>().GetCurrentAsync(Ns, policy, default))!;

    private JsonObject StoredPolicy(string policy) => _world.Sandbox.Control.Get(ScalePolicy.ApiVersionValue, ScalePolicy.KindValue, Ns, policy)!;
}
