using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// <c>freeze ns/*</c> and <c>unfreeze ns/*</c>: who may confirm is judged by the strictest policy of the namespace, and
/// the group hears of it once (per notice route), while each policy keeps its own record.
/// </summary>
public sealed class ChatNamespaceFreezeTests : IDisposable
{
    private readonly ServerFactory _server = new();

    private ICommandInbox Inbox => _server.Service<ICommandInbox>();

    private static CommandRequest From(string sender, ChatCommand command, string text = "freeze shop/* for 1h incident") => new(command, sender, sender, text, "cidOnCall==");

    private static readonly FreezeCommand FreezeShop = new("shop", null, TimeSpan.FromHours(1), "incident");

    /// <summary>Policies of <c>shop</c>, each targeting a workload of its name; <paramref name="twoPersons"/> ones with the two-person rule and that roster.</summary>
    private async Task SeedAsync(IEnumerable<string> plain, params (string Name, string[] Approvers)[] twoPersons)
    {
        foreach (var name in plain)
        {
            await _server.Policies.UpsertAsync(TestPolicies.Approval(name: name), CancellationToken.None);
        }

        foreach (var (name, approvers) in twoPersons)
        {
            var policy = TestPolicies.Approval(name: name);
            await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { RequiredApprovals = 2, Approvers = approvers } } }, CancellationToken.None);
        }
    }

    private async Task<IReadOnlyList<ScalePolicy>> ShopAsync() => await _server.Policies.ListAsync("shop", CancellationToken.None);

    [Fact]
    public async Task FreezeNamespace_APolicyAfterTheFirstHasTheTwoPersonRule_TheSenderAloneCannotConfirm_AnotherApproverCan()
    {
        // Adversarial run: the two-person setting was read from the namespace's first policy only, so zhangsan alone
        // froze zz-api, whose rule asks for a second person.
        await SeedAsync(["checkout-api", "cart-api"], ("zz-api", ["zhangsan", "lisi"]));

        var asked = await Inbox.ExecuteAsync(From("zhangsan", FreezeShop), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        var bySender = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(card.Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Contains("Another approver of every policy with the two-person rule (lisi) can tap **Confirm**", asked.Markdown, StringComparison.Ordinal);
        Assert.Equal(["lisi"], card.Confirmers);
        Assert.Equal(CommandOutcome.Refused, bySender.Outcome);
        Assert.All(await ShopAsync(), p => Assert.Null(p.Spec.Freeze));

        var byLisi = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(card.Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, byLisi.Outcome);
        Assert.All(await ShopAsync(), p => Assert.Equal("zhangsan", p.Spec.Freeze?.By));
    }

    [Fact]
    public async Task FreezeNamespace_NoOtherApproverOnEveryTwoPersonRoster_IsRefusedUpFront_NothingChanges()
    {
        // lisi may confirm for cart-api but is not on zz-api's roster; wangwu the other way round: nobody can confirm both.
        await SeedAsync(["checkout-api"], ("cart-api", ["zhangsan", "lisi"]), ("zz-api", ["zhangsan", "wangwu"]));

        var asked = await Inbox.ExecuteAsync(From("zhangsan", FreezeShop), CancellationToken.None);

        Assert.Equal((CommandOutcome.Refused, true), (asked.Outcome, asked.Private));
        Assert.Contains("policies shop/cart-api, shop/zz-api have the two-person rule, and no approver but zhangsan is on the roster of all of them", asked.Markdown, StringComparison.Ordinal);
        Assert.Empty(_server.ConfirmationCards.Sent);
        Assert.All(await ShopAsync(), p => Assert.Null(p.Spec.Freeze));
    }

    [Fact]
    public async Task FreezeNamespace_ConfirmerOnOneTwoPersonRosterOnly_IsRefused_NothingChanges()
    {
        // lisi was on both rosters when asked; zz-api's rota changed since: lisi's confirm would freeze it for one person.
        await SeedAsync(["checkout-api"], ("cart-api", ["zhangsan", "lisi"]), ("zz-api", ["zhangsan", "lisi"]));
        await Inbox.ExecuteAsync(From("zhangsan", FreezeShop), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        var zz = (await _server.Policies.GetAsync("shop", "zz-api", CancellationToken.None))!;
        await _server.Policies.UpsertAsync(zz with { Spec = zz.Spec with { Approval = zz.Spec.Approval! with { Approvers = ["zhangsan", "wangwu"] } } }, CancellationToken.None);

        var byLisi = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(card.Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, byLisi.Outcome);
        Assert.Contains("lisi is no longer an approver of policy shop/zz-api", byLisi.Markdown, StringComparison.Ordinal);
        Assert.All(await ShopAsync(), p => Assert.Null(p.Spec.Freeze));
    }

    [Fact]
    public async Task FreezeNamespace_APolicyGainsTheTwoPersonRuleBeforeTheConfirm_TheSendersOwnConfirmIsRefused()
    {
        await SeedAsync(["checkout-api", "cart-api"]);
        await Inbox.ExecuteAsync(From("zhangsan", FreezeShop), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        Assert.Equal(["zhangsan"], card.Confirmers);
        await SeedAsync([], ("zz-api", ["zhangsan", "lisi"]));

        var bySender = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(card.Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, bySender.Outcome);
        Assert.Contains("policy shop/zz-api has the two-person rule now", bySender.Markdown, StringComparison.Ordinal);
        Assert.All(await ShopAsync(), p => Assert.Null(p.Spec.Freeze));
    }

    [Fact]
    public async Task FreezeAndUnfreezeNamespace_OneGroupNoticeEach_ListingThePolicies_EachPolicyStillRecorded()
    {
        // Adversarial run: one notice per policy; over a webhook's 20 a minute the rest, failures included, were dropped.
        var names = Enumerable.Range(1, 14).Select(i => $"api-{i:D2}").ToList();
        await SeedAsync(names);

        await FreezeConfirmedAsync();
        var lifted = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", null), "unfreeze shop/*"), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, lifted.Outcome);
        Assert.StartsWith("**shop/api-01, api-02, api-03, api-04, api-05, api-06, api-07, api-08, api-09, api-10, api-11, api-12 and 2 more** unfrozen by zhangsan", lifted.Markdown, StringComparison.Ordinal);
        var frozen = Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);
        Assert.Equal("shop: frozen (14 policies)", frozen.Title);
        Assert.StartsWith("❄ **shop** frozen until ", frozen.Markdown, StringComparison.Ordinal);
        Assert.Contains("by zhangsan: incident — 14 policies:", frozen.Markdown, StringComparison.Ordinal);
        Assert.Contains("- **shop/api-10**", frozen.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("api-11", frozen.Markdown, StringComparison.Ordinal); // bounded: the first 10 …
        Assert.EndsWith("- and 4 more", frozen.Markdown, StringComparison.Ordinal); // … then how many more
        var unfrozen = Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Unfrozen);
        Assert.Equal("shop: unfrozen (14 policies)", unfrozen.Title);
        Assert.StartsWith("**shop** unfrozen by zhangsan: the policies decide again — 14 policies:", unfrozen.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Notices.Published.Count);

        var now = _server.Time.GetUtcNow();
        var history = await _server.Service<HistoryService>().ListAsync("shop", now.AddHours(-1), now, CancellationToken.None);
        foreach (var kind in new[] { HistoryKind.Frozen, HistoryKind.Unfrozen })
        {
            var entries = history.Where(e => e.Kind == kind).ToList();
            Assert.Equal(names, entries.Select(e => e.Workload).Order());
            Assert.All(entries, e => Assert.Equal(("zhangsan", "DingTalkChat"), (e.By, e.Channel)));
        }

        Assert.All(history.Where(e => e.Kind == HistoryKind.Frozen), e => Assert.Equal("incident", e.Reason));
    }

    [Fact]
    public async Task FreezeNamespace_PoliciesToldInDifferentGroups_OneNoticePerGroup_AnExtendedFreezeSaidSo()
    {
        await SeedAsync(["checkout-api", "cart-api", "search-api"]);
        var search = (await _server.Policies.GetAsync("shop", "search-api", CancellationToken.None))!;
        await _server.Policies.UpsertAsync(search with { Spec = search.Spec with { Notifications = new NotificationSpec { Webhook = "search-team" } } }, CancellationToken.None);
        var cart = (await _server.Policies.GetAsync("shop", "cart-api", CancellationToken.None))!;
        await _server.Policies.UpsertAsync(cart with { Spec = cart.Spec with { Freeze = new FreezeSpec { Until = _server.Time.GetUtcNow().AddMinutes(10), Reason = "deploy", By = "lisi" } } }, CancellationToken.None);

        await FreezeConfirmedAsync();

        var notices = _server.Notices.Published.ToList();
        Assert.Equal(2, notices.Count);
        var onCall = Assert.Single(notices, n => n.Route?.OpenConversationId == "cidOnCall==");
        Assert.Contains("2 policies of 3:", onCall.Markdown, StringComparison.Ordinal);
        Assert.Contains("- **shop/cart-api** (freeze extended)", onCall.Markdown, StringComparison.Ordinal);
        Assert.Contains("- **shop/checkout-api**", onCall.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("search-api", onCall.Markdown, StringComparison.Ordinal);
        var team = Assert.Single(notices, n => n.Route?.Webhook == "search-team");
        Assert.Contains("1 policy of 3:\n\n- **shop/search-api**", team.Markdown, StringComparison.Ordinal);
    }

    private async Task FreezeConfirmedAsync()
    {
        await Inbox.ExecuteAsync(From("zhangsan", FreezeShop), CancellationToken.None);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        var done = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);
        Assert.Equal(CommandOutcome.Done, done.Outcome);
    }

    public void Dispose() => _server.Dispose();
}
