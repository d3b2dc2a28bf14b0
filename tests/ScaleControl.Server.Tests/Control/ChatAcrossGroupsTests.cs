using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Chat commands from several DingTalk groups — the shop team's on-call group, the feed team's, a general group, a
/// group the robot was just added to — and from a one-to-one chat: rights are the person's wherever they type, a bare
/// <c>status</c> shows the group's own policies.
/// </summary>
public sealed class ChatAcrossGroupsTests : IDisposable
{
    private const string ShopGroup = "cidShopOnCall==";
    private const string FeedGroup = "cidFeedOnCall==";
    private const string NewGroup = "cidJustAdded==";

    private readonly ServerFactory _server = new();

    private ICommandInbox Inbox => _server.Service<ICommandInbox>();

    private static CommandRequest In(string? conversation, string sender, ChatCommand command, string text = "text") =>
        new(command, sender, sender, text, conversation);

    /// <summary>shop/checkout-api and shop/cart-api send their cards and notices to the shop group, feed/feed-api to the feed group.</summary>
    private async Task SeedTeamsAsync()
    {
        foreach (var (ns, name, group) in new[] { ("shop", "checkout-api", ShopGroup), ("shop", "cart-api", ShopGroup), ("feed", "feed-api", FeedGroup) })
        {
            await _server.Policies.UpsertAsync(Routed(TestPolicies.Approval(ns, name), group), CancellationToken.None);
            _server.Workloads.Add(ns, name, 4);
        }
    }

    private static ScalePolicy Routed(ScalePolicy policy, string group) => policy with
    {
        Spec = policy.Spec with
        {
            Approval = policy.Spec.Approval! with { OpenConversationId = group },
            Notifications = new NotificationSpec { OpenConversationId = group },
        },
    };

    [Fact]
    public async Task Status_InATeamGroup_ShowsItsOwnPolicies_AndNamesTheOthersNamespaces()
    {
        await SeedTeamsAsync();

        var shop = await Inbox.ExecuteAsync(In(ShopGroup, "wangwu", new StatusCommand(null, null)), CancellationToken.None);
        var feed = await Inbox.ExecuteAsync(In(FeedGroup, "wangwu", new StatusCommand(null, null)), CancellationToken.None);
        var feedAsksShop = await Inbox.ExecuteAsync(In(FeedGroup, "wangwu", new StatusCommand("shop", null)), CancellationToken.None);
        var oneToOne = await Inbox.ExecuteAsync(In(null, "wangwu", new StatusCommand(null, null)), CancellationToken.None);

        Assert.Contains("**shop/checkout-api**", shop.Markdown, StringComparison.Ordinal);
        Assert.Contains("**shop/cart-api**", shop.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("feed/feed-api", shop.Markdown, StringComparison.Ordinal);
        Assert.EndsWith("This group's policies only; 1 more send their cards to other groups: `status feed` (1)", shop.Markdown, StringComparison.Ordinal);
        Assert.Contains("**feed/feed-api**", feed.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("shop/", feed.Markdown.Replace("`status shop` (2)", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.EndsWith("2 more send their cards to other groups: `status shop` (2)", feed.Markdown, StringComparison.Ordinal);
        // Asked by name, a namespace is shown wherever it is asked; a one-to-one chat belongs to no team.
        Assert.Contains("**shop/checkout-api**", feedAsksShop.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("other groups", feedAsksShop.Markdown, StringComparison.Ordinal);
        Assert.All(new[] { "shop/checkout-api", "shop/cart-api", "feed/feed-api" }, p => Assert.Contains($"**{p}**", oneToOne.Markdown, StringComparison.Ordinal));
        Assert.DoesNotContain("other groups", oneToOne.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupNoPolicySendsTo_StatusShowsAll_HelpAndWhoAmISayHowToRouteAPolicyThere_KnownGroupsDoNot()
    {
        await SeedTeamsAsync();

        var status = await Inbox.ExecuteAsync(In(NewGroup, "zhangsan", new StatusCommand(null, null)), CancellationToken.None);
        var help = await Inbox.ExecuteAsync(In(NewGroup, "zhangsan", new HelpCommand()), CancellationToken.None);
        var whoAmINew = await Inbox.ExecuteAsync(In(NewGroup, "zhangsan", new WhoAmICommand()), CancellationToken.None);
        var whoAmIShop = await Inbox.ExecuteAsync(In(ShopGroup, "zhangsan", new WhoAmICommand()), CancellationToken.None);
        var helpShop = await Inbox.ExecuteAsync(In(ShopGroup, "zhangsan", new HelpCommand()), CancellationToken.None);
        var helpOneToOne = await Inbox.ExecuteAsync(In(null, "zhangsan", new HelpCommand()), CancellationToken.None);

        const string Hint = "No ScalePolicy sends its cards or notices to this group, so nothing arrives here by itself; commands work as anywhere. " +
            "To send a policy's here, set its `spec.approval.openConversationId` (cards) or `spec.notifications.openConversationId` (notices) to `cidJustAdded==`.";
        Assert.Equal(CommandOutcome.Done, status.Outcome);
        Assert.All(new[] { "shop/checkout-api", "shop/cart-api", "feed/feed-api" }, p => Assert.Contains($"**{p}**", status.Markdown, StringComparison.Ordinal));
        Assert.EndsWith(Hint, status.Markdown, StringComparison.Ordinal);
        Assert.EndsWith(Hint, help.Markdown, StringComparison.Ordinal);
        Assert.EndsWith(Hint, whoAmINew.Markdown, StringComparison.Ordinal);
        Assert.EndsWith("This group (`cidShopOnCall==`) gets the cards and notices of shop/cart-api, shop/checkout-api.", whoAmIShop.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("ScalePolicy sends", helpShop.Markdown + helpOneToOne.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Approve_TypedInAnotherTeamsGroup_OrInAOneToOneChat_ActsOnThePersonsRights()
    {
        await SeedTeamsAsync();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        _server.Metrics.Set(TestPolicies.Query("feed-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);

        // lisi (an operator of shop) approves the shop card from the feed group, zhangsan the feed card from a one-to-one chat.
        var fromFeedGroup = await Inbox.ExecuteAsync(In(FeedGroup, "lisi", new ApproveCommand("shop", "checkout-api")), CancellationToken.None);
        var fromOneToOne = await Inbox.ExecuteAsync(In(null, "zhangsan", new ApproveCommand("feed", "feed-api")), CancellationToken.None);
        // wangwu is in the feed group but only a viewer: the group grants nothing.
        var viewer = await Inbox.ExecuteAsync(In(FeedGroup, "wangwu", new ApproveCommand("shop", "cart-api")), CancellationToken.None);

        Assert.Equal((CommandOutcome.Done, CommandOutcome.Done), (fromFeedGroup.Outcome, fromOneToOne.Outcome));
        Assert.False(fromFeedGroup.Private);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(10, _server.Workloads.Replicas("feed", "feed-api"));
        var approvals = (await _server.Proposals.ListAsync(null, CancellationToken.None)).SelectMany(p => p.Status.Approvals).ToList();
        Assert.Equal(["lisi", "zhangsan"], approvals.Select(a => a.User).Order());
        Assert.All(approvals, a => Assert.Equal(ApprovalChannel.DingTalkChat, a.Channel));
        Assert.Equal(CommandOutcome.Refused, viewer.Outcome);
        Assert.True(viewer.Private);
    }

    [Fact]
    public async Task Confirm_TypedInAnotherGroupOrAOneToOneChat_RunsTheCommandAskedInTheTeamGroup_AndClosesItsCard()
    {
        await SeedTeamsAsync();

        await Inbox.ExecuteAsync(In(ShopGroup, "zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), "freeze shop/* for 1h incident"), CancellationToken.None);
        var asked = Assert.Single(_server.ConfirmationCards.Sent);
        var confirmed = await Inbox.ExecuteAsync(In(NewGroup, "zhangsan", new ConfirmCommand(asked.Code)), CancellationToken.None);
        await Inbox.ExecuteAsync(In(ShopGroup, "zhangsan", new FreezeCommand("feed", null, TimeSpan.FromHours(1), "incident"), "freeze feed/* for 1h incident"), CancellationToken.None);
        var second = _server.ConfirmationCards.Sent.ElementAt(1);
        var byOther = await Inbox.ExecuteAsync(In(null, "lisi", new ConfirmCommand(second.Code)), CancellationToken.None);
        var inOneToOne = await Inbox.ExecuteAsync(In(null, "zhangsan", new ConfirmCommand(second.Code)), CancellationToken.None);

        // The card stays in the group it was asked in, for the sender alone; the code works wherever its confirmer types it, once.
        Assert.Equal((ShopGroup, ShopGroup), (asked.Conversation, second.Conversation));
        Assert.Equal(CommandOutcome.Done, confirmed.Outcome);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Equal("zhangsan", p.Spec.Freeze?.By));
        Assert.Equal(CommandOutcome.Refused, byOther.Outcome);
        Assert.Contains("Only zhangsan can confirm", byOther.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Done, inOneToOne.Outcome);
        Assert.Equal("zhangsan", (await _server.Policies.GetAsync("feed", "feed-api", CancellationToken.None))!.Spec.Freeze?.By);
        Assert.Equal([(asked.Code, "confirmed"), (second.Code, "confirmed")], _server.ConfirmationCards.Closed.Select(c => (c.Code, c.Status)));
    }

    public void Dispose() => _server.Dispose();
}
