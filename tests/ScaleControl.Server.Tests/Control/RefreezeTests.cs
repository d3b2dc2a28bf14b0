using System.Net;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A freeze over one in force replaces it. Seen on call: the second freeze posted a second "frozen" notice that read
/// like a new freeze. Each freeze posts one notice; the second says it extends (or shortens) the first, and the API
/// (a Warning header, which scalectl prints) and the chat answer say so too.
/// </summary>
public sealed class RefreezeTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    private async Task SeedAsync()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Auto("shop", "checkout-api"), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 2);
    }

    private List<Notice> Frozen => [.. _server.Notices.Published.Where(n => n.Kind == NoticeKind.Frozen)];

    [Fact]
    public async Task FreezeAgain_OverTheApi_OneNoticeEach_TheSecondSaysItExtends_AndTheAnswerWarns()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);

        using var first = await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 3600, reason = "db migration" });
        _server.Time.Advance(TimeSpan.FromMinutes(10));
        using var second = await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 7200, reason = "migration overran" });

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Empty(first.Headers.Warning);
        Assert.Equal("\"freeze extended: it was already frozen until 2026-11-25 11:00:00Z; this freeze replaces that one\"", Assert.Single(second.Headers.Warning).Text);
        Assert.Equal(2, Frozen.Count);
        Assert.Equal("shop/checkout-api: frozen", Frozen[0].Title);
        Assert.Equal("shop/checkout-api: freeze extended", Frozen[1].Title);
        Assert.Equal("**shop/checkout-api** freeze extended to 2026-11-25 12:10:00Z by admin: migration overran (was frozen until 2026-11-25 11:00:00Z by admin: db migration)", Frozen[1].Markdown);
    }

    [Fact]
    public async Task FreezeAgain_ForLess_SaysItShortensTheFreeze()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);

        (await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 3600, reason = "db migration" })).EnsureSuccessStatusCode();
        using var shorter = await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 600, reason = "done soon" });

        Assert.Equal(HttpStatusCode.OK, shorter.StatusCode);
        Assert.StartsWith("\"freeze shortened: it was already frozen until 2026-11-25 11:00:00Z", Assert.Single(shorter.Headers.Warning).Text, StringComparison.Ordinal);
        Assert.Equal("shop/checkout-api: freeze shortened", Frozen[^1].Title);
    }

    [Fact]
    public async Task FreezeAgain_AfterTheFirstExpired_IsANewFreeze()
    {
        await SeedAsync();
        using var client = _server.ClientWith(AdminToken);

        (await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 60, reason = "db migration" })).EnsureSuccessStatusCode();
        _server.Time.Advance(TimeSpan.FromMinutes(2));
        using var again = await client.PostJson("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 60, reason = "second migration" });

        Assert.Empty(again.Headers.Warning);
        Assert.All(Frozen, n => Assert.Equal("shop/checkout-api: frozen", n.Title));
    }

    [Fact]
    public async Task FreezeAgain_InChat_TheAnswerSaysItReplacesTheFreezeInForce()
    {
        await SeedAsync();
        var inbox = _server.Service<ICommandInbox>();
        CommandRequest Freeze(TimeSpan duration, string reason) =>
            new(new FreezeCommand("shop", "checkout-api", duration, reason), "zhangsan", "zhangsan", "freeze", "cidOnCall==");

        var first = await inbox.ExecuteAsync(Freeze(TimeSpan.FromHours(1), "db migration"), CancellationToken.None);
        var second = await inbox.ExecuteAsync(Freeze(TimeSpan.FromHours(2), "migration overran"), CancellationToken.None);

        Assert.Equal((CommandOutcome.Done, CommandOutcome.Done), (first.Outcome, second.Outcome));
        Assert.DoesNotContain("already frozen", first.Markdown, StringComparison.Ordinal);
        Assert.EndsWith("\n\nfreeze extended: it was already frozen until 2026-11-25 11:00:00Z; this freeze replaces that one", second.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, Frozen.Count);
        Assert.Contains("freeze extended to 2026-11-25 12:00:00Z by zhangsan", Frozen[1].Markdown, StringComparison.Ordinal);
    }
}
