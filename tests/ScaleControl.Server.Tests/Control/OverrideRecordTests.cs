using System.Net;
using System.Net.Http.Json;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Overrides;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An override's record (<see cref="OverrideRecords"/>) is written with the override, in one write: never one without
/// the other, once per request, and kept as long as retention keeps ScaleProposals.
/// </summary>
public sealed class OverrideRecordTests : IDisposable
{
    private const string FreezeUrl = "/api/v1/policies/shop/checkout-api/freeze";

    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    private async Task SeedAsync()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("shop", "checkout-api"), default);
        _server.Workloads.Add("shop", "checkout-api", 2);
    }

    private async Task<ScalePolicy> StoredAsync() => (await _server.Policies.GetAsync("shop", "checkout-api", default))!;

    private async Task<IReadOnlyList<OverrideRecord>> RecordsAsync() => [.. OverrideRecords.Of(await StoredAsync())];

    private static HttpRequestMessage Request(HttpMethod method, string url, string key, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body, options: Http.Json) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        return request;
    }

    [Fact]
    public async Task Freeze_WriteKeepsConflicting_409_NeitherFrozenNorRecordedNorAnnounced()
    {
        await SeedAsync();
        _server.Policies.ConflictsToInject = PolicySpecEditor.Attempts;
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.PostJson(FreezeUrl, new { durationSeconds = 3600, reason = "db migration" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Null((await StoredAsync()).Spec.Freeze);
        Assert.Empty(await RecordsAsync());
        Assert.DoesNotContain(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);
    }

    [Fact]
    public async Task Freeze_SameIdempotencyKeyTwice_FrozenRecordedAndAnnouncedOnce_SecondAnswerSaysSo()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        var body = new { durationSeconds = 3600, reason = "db migration" };

        using var first = await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-1", body));
        var version = (await StoredAsync()).Metadata.ResourceVersion;
        _server.Time.Advance(TimeSpan.FromSeconds(30)); // the client timed out and sent it again
        using var retried = await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-1", body));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, retried.StatusCode));
        Assert.Equal("\"this request was already carried out at 2026-11-25 10:00:00Z; nothing was written again\"", Assert.Single(retried.Headers.Warning).Text);
        var stored = await StoredAsync();
        Assert.Equal((version, DateTimeOffset.Parse("2026-11-25T11:00:00Z")), (stored.Metadata.ResourceVersion, stored.Spec.Freeze!.Until));
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal(("Frozen", "admin", ApprovalChannel.Api, "db migration"), (record.Kind, record.By, record.Channel, record.Reason));
        Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);

        // Another person's request with the same key is another request.
        using var lisi = _server.ClientWith(LisiToken);
        using var hers = await lisi.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-1", body));
        Assert.DoesNotContain(hers.Headers.Warning, w => w.Text.Contains("already carried out", StringComparison.Ordinal));
        Assert.Equal(2, (await RecordsAsync()).Count);
    }

    /// <summary>
    /// A key sent again with another body is another request, not a retry: it was answered 200 "already carried out",
    /// so a script that reused its key believed it had set a 100-minute freeze while the 1-hour one stood.
    /// </summary>
    [Theory]
    [InlineData(6000, "db migration")]
    [InlineData(3600, "db migration, part 2")]
    public async Task Freeze_SameIdempotencyKeyAnotherBody_422_FirstFreezeStandsUnannouncedAgain(int durationSeconds, string reason)
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        (await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-3", new { durationSeconds = 3600, reason = "db migration" }))).EnsureSuccessStatusCode();
        var version = (await StoredAsync()).Metadata.ResourceVersion;
        _server.Time.Advance(TimeSpan.FromSeconds(30));

        using var reused = await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-3", new { durationSeconds, reason }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Contains("Idempotency-Key was already used at 2026-11-25 10:00:00Z with another body (frozen, another duration or reason)", await reused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var stored = await StoredAsync();
        Assert.Equal((version, DateTimeOffset.Parse("2026-11-25T11:00:00Z"), "db migration"), (stored.Metadata.ResourceVersion, stored.Spec.Freeze!.Until, stored.Spec.Freeze.Reason));
        Assert.Single(await RecordsAsync());
        Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);
    }

    [Fact]
    public async Task Freeze_SameIdempotencyKeyOverAFreezeInForce_RetryStillMatches()
    {
        // The retry of a freeze that extended another: its record reads "freeze extended to …", still the same order.
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        (await client.PostJson(FreezeUrl, new { durationSeconds = 600, reason = "first" })).EnsureSuccessStatusCode();
        var body = new { durationSeconds = 7200, reason = "db migration" };
        (await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-4", body))).EnsureSuccessStatusCode();
        _server.Time.Advance(TimeSpan.FromSeconds(30));

        using var retried = await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-4", body));

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Contains(retried.Headers.Warning, w => w.Text.Contains("already carried out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unfreeze_WithTheFreezesIdempotencyKey_422_StillFrozen()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        (await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-2", new { durationSeconds = 3600, reason = "db migration" }))).EnsureSuccessStatusCode();

        using var unfreeze = await client.SendAsync(Request(HttpMethod.Delete, FreezeUrl, "k-2"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, unfreeze.StatusCode);
        Assert.Contains("Idempotency-Key was already used for another request (frozen at 2026-11-25 10:00:00Z)", await unfreeze.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull((await StoredAsync()).Spec.Freeze);
    }

    [Theory]
    [InlineData(FreezeUrl, "not frozen: nothing was changed")]
    [InlineData("/api/v1/workloads/shop/checkout-api/pin", "not pinned: nothing was changed")]
    public async Task UnfreezeOrUnpin_NothingInForce_200_WarningSaysNothingWasChanged(string url, string warning)
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.SendAsync(Request(HttpMethod.Delete, url, "k-nothing"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{warning}\"", Assert.Single(response.Headers.Warning).Text);
        Assert.Empty(await RecordsAsync());
    }

    [Fact]
    public async Task Unfreeze_RetriedWithTheSameKeyAfterItLifted_NoNothingChangedWarning()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        (await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, "k-f", new { durationSeconds = 3600, reason = "db migration" }))).EnsureSuccessStatusCode();
        (await client.SendAsync(Request(HttpMethod.Delete, FreezeUrl, "k-u"))).EnsureSuccessStatusCode();

        using var retried = await client.SendAsync(Request(HttpMethod.Delete, FreezeUrl, "k-u")); // its answer was lost

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Empty(retried.Headers.Warning);
        Assert.Single(await RecordsAsync(), r => r.Kind == "Unfrozen");
    }

    [Fact]
    public async Task Freeze_TooLongIdempotencyKey_400_NothingWritten()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);

        using var response = await client.SendAsync(Request(HttpMethod.Post, FreezeUrl, new string('k', 257), new { durationSeconds = 3600, reason = "db migration" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Idempotency-Key must be one value of 1 to 256 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await StoredAsync()).Spec.Freeze);
    }

    [Fact]
    public async Task ChatFreeze_TheSameMessageDeliveredAgainToAnotherReplica_FrozenAndRecordedOnce()
    {
        await SeedAsync();
        var request = new CommandRequest(new FreezeCommand("shop", "checkout-api", TimeSpan.FromHours(1), "db migration"), "zhangsan", "Zhang San",
            "freeze shop/checkout-api for 1h db migration", "cidOnCall==", "robot:msg-7");
        using var other = _server.Restarted();

        var first = await _server.Service<ICommandInbox>().ExecuteAsync(request, default);
        other.Time.Advance(TimeSpan.FromSeconds(20)); // DingTalk gave the un-acknowledged message to another connection
        var again = await other.Service<ICommandInbox>().ExecuteAsync(request, default);

        Assert.Equal((CommandOutcome.Done, CommandOutcome.Done), (first.Outcome, again.Outcome));
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal(("Frozen", "zhangsan", ApprovalChannel.DingTalkChat), (record.Kind, record.By, record.Channel));
        Assert.DoesNotContain(other.Notices.Published, n => n.Kind == NoticeKind.Frozen);
        var history = await other.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow().AddHours(1), default);
        Assert.Single(history, h => h.Kind == HistoryKind.Frozen);
    }

    [Fact]
    public async Task Records_TheNewest20Kept_AndNoneOlderThan7Days()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        for (var i = 0; i < 22; i++)
        {
            (await client.PostJson(FreezeUrl, new { durationSeconds = 600, reason = $"freeze {i}" })).EnsureSuccessStatusCode();
            _server.Time.Advance(TimeSpan.FromHours(1));
        }

        var kept = await RecordsAsync();
        Assert.Equal(20, kept.Count);
        Assert.Equal("freeze 2", kept.MinBy(r => r.Time)!.Reason);

        _server.Time.Advance(TimeSpan.FromDays(7)); // the newest is 7 days and an hour old: shown no more, though still stored
        var history = _server.Service<HistoryService>();
        Assert.DoesNotContain(await history.ListAsync("shop", _server.Time.GetUtcNow().AddDays(-30), _server.Time.GetUtcNow(), default), h => h.Kind == HistoryKind.Frozen);
        Assert.Equal(20, (await RecordsAsync()).Count);

        (await client.PostJson(FreezeUrl, new { durationSeconds = 600, reason = "the next one" })).EnsureSuccessStatusCode();
        Assert.Equal("the next one", Assert.Single(await RecordsAsync()).Reason); // the write pruned the rest
    }

    [Fact]
    public async Task PolicyPutWhole_KeepsTheStoredRecords_AndCannotBringItsOwn()
    {
        // `scalectl policy apply -f` sends the policy from its file: no records of its own, or one written to forge a
        // history. The stored freeze record stays; the forged one is not stored; other annotations are the file's.
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);
        (await client.PostJson(FreezeUrl, new { durationSeconds = 600, reason = "db migration" })).EnsureSuccessStatusCode();
        var forged = """{"time":"2026-01-01T00:00:00Z","kind":"Unfrozen","workload":"checkout-api","by":"lisi","channel":"Api","message":"unfrozen by lisi"}""";
        var file = TestPolicies.Auto("shop", "checkout-api");
        file = file with { Metadata = file.Metadata with { Annotations = new Dictionary<string, string> { ["team"] = "payments", [OverrideRecords.AnnotationPrefix + "forged"] = forged } } };

        using var response = await client.PutJson("/api/v1/policies/shop/checkout-api", file);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var record = Assert.Single(await RecordsAsync());
        Assert.Equal(("Frozen", "db migration"), (record.Kind, record.Reason));
        Assert.Equal("payments", (await StoredAsync()).Metadata.Annotations!["team"]);
    }
}
