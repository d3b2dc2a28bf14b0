using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Capacity;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Chat;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>Chat commands through the real control services: per-person rights, stale replicas, confirmations.</summary>
public sealed class ChatCommandServiceTests : IDisposable
{
    private readonly ServerFactory _server = new();

    private ICommandInbox Inbox => _server.Service<ICommandInbox>();

    private static CommandRequest From(string sender, ChatCommand command, string text = "text") => new(command, sender, sender, text, "cidOnCall==");

    private async Task SeedAsync(ScalePolicy? policy = null)
    {
        await _server.Policies.UpsertAsync(policy ?? TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 2);
    }

    [Fact]
    public async Task UnknownPerson_IsRefusedPrivately()
    {
        var reply = await Inbox.ExecuteAsync(From("stranger", new StatusCommand(null, null)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.True(reply.Private);
        Assert.Contains("ScaleControl:Auth:People", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_CanAskStatusButNotScale_NothingChanges()
    {
        await SeedAsync();

        var status = await Inbox.ExecuteAsync(From("wangwu", new StatusCommand("shop", "checkout-api")), CancellationToken.None);
        var scale = await Inbox.ExecuteAsync(From("wangwu", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, status.Outcome);
        Assert.Contains("shop/checkout-api", status.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Refused, scale.Outcome);
        Assert.Contains("operator role in `shop`", scale.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Pin);
    }

    [Fact]
    public async Task NamespaceOutsideTheWatchedSet_IsRefusedNamingTheSet_NothingChanges()
    {
        await SeedAsync();
        using var restricted = _server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:Kubernetes:Namespaces:0", "video"));
        var inbox = restricted.Services.GetRequiredService<ICommandInbox>();

        var scale = await inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala")), CancellationToken.None);
        var status = await inbox.ExecuteAsync(From("zhangsan", new StatusCommand("shop", null)), CancellationToken.None);

        const string Refusal = "namespace 'shop' is not watched by this ScaleControl: it works only in video (ScaleControl:Kubernetes:Namespaces)";
        Assert.Equal((CommandOutcome.Refused, CommandOutcome.Refused), (scale.Outcome, status.Outcome));
        Assert.Equal("`scale` refused: " + Refusal + ".", scale.Markdown);
        Assert.Contains("`status` refused", status.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Pin);
    }

    [Fact]
    public async Task TargetWithoutTheRunningCount_AnswersTheCountAndTheCommandToSend_NothingChanges()
    {
        await SeedAsync();

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", null, 6, TimeSpan.FromMinutes(90), "gala night")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.True(reply.Private);
        Assert.Contains("**shop/checkout-api** runs **2** now. Nothing was changed", reply.Markdown, StringComparison.Ordinal);
        Assert.EndsWith("`scale shop/checkout-api 2->6 for 1h30m gala night`", reply.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Pin);
    }

    [Fact]
    public async Task StaleFrom_IsRefused_AndOperatorOutsideItsNamespaceToo()
    {
        await SeedAsync();
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), CancellationToken.None);
        _server.Workloads.Add("video", "video-transcoder", 3);

        var stale = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 4, 6, TimeSpan.FromMinutes(30), "gala")), CancellationToken.None);
        var elsewhere = await Inbox.ExecuteAsync(From("lisi", new ScaleCommand("video", "video-transcoder", 3, 5, TimeSpan.FromMinutes(30), "x")), CancellationToken.None);

        Assert.Contains("runs **2** now, not 4", stale.Markdown, StringComparison.Ordinal);
        // New user: the answer said `scale shop/checkout-api 2->6 for …`, and a phone user retyped what was already typed.
        Assert.EndsWith("If you still mean it: `scale shop/checkout-api 2->6 for 30m gala`", stale.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Refused, elsewhere.Outcome);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(3, _server.Workloads.Replicas("video", "video-transcoder"));
    }

    [Fact]
    public async Task BeyondMax_UnderTwoPersonRule_OnlyAnotherApproverCanConfirm()
    {
        var policy = TestPolicies.Approval();
        await SeedAsync(policy with { Spec = policy.Spec with { MaxReplicas = 10, Approval = policy.Spec.Approval! with { RequiredApprovals = 2 } } });
        var scale = new ScaleCommand("shop", "checkout-api", 2, 12, TimeSpan.FromMinutes(30), "launch");

        var asked = await Inbox.ExecuteAsync(From("zhangsan", scale, "scale shop/checkout-api 2->12 for 30m launch"), CancellationToken.None);
        var code = System.Text.RegularExpressions.Regex.Match(asked.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        var self = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);
        var other = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(code)), CancellationToken.None);
        var again = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Contains("above the policy's maximum 10", asked.Markdown, StringComparison.Ordinal);
        Assert.Contains("another approver", self.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Done, other.Outcome);
        Assert.Equal(12, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(CommandOutcome.Refused, again.Outcome);
        var pinned = (await _server.Proposals.ListAsync("shop", CancellationToken.None)).Single();
        // The two-person rule: the sender's approval and the confirming approver's, both through the chat.
        Assert.Equal(["lisi", "zhangsan"], pinned.Status.Approvals.Select(a => a.User).Order());
        Assert.All(pinned.Status.Approvals, a => Assert.Equal(Core.Proposals.ApprovalChannel.DingTalkChat, a.Channel));
    }

    /// <summary>
    /// Probe 30: a scale-down held for confirmation because a proposal waits; the policy's minimum was raised above its
    /// target before it was confirmed, and the confirmation was taken as the explicit "outside the bounds" (pinned at 4
    /// under a minimum of 6, "allowed explicitly"), though what was confirmed was another risk. Now refused, nothing changed.
    /// </summary>
    [Fact]
    public async Task ScaleDownHeldBecauseAProposalWaits_MinRaisedAboveItBeforeTheConfirm_Refused_NotPinnedOutsideTheBounds()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 10);
        using (var request = await _server.ClientWith(ServerFactory.ShopOperatorToken).PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 20, durationSeconds = 600, reason = "sale" }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Accepted, request.StatusCode); // a proposal waits
        }

        var asked = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 10, 4, TimeSpan.FromMinutes(30), "quiet")), CancellationToken.None);
        var code = System.Text.RegularExpressions.Regex.Match(asked.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        var policy = (await _server.Policies.GetCurrentAsync("shop", "checkout-api", CancellationToken.None))!;
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { MinReplicas = 6 } }, CancellationToken.None);
        var confirmed = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Contains("it scales down while a proposal waits for approval", asked.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Refused, confirmed.Outcome);
        Assert.Equal(
            "**shop/checkout-api** → 4 is outside the policy's bounds 6..50 now (changed since it was held for confirmation, which was not for leaving them). Nothing was changed: send the command again to confirm going outside the bounds.",
            confirmed.Markdown);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Pin);

        // Sent again, it asks to confirm leaving the bounds, and that confirmation goes there on purpose.
        var again = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 10, 4, TimeSpan.FromMinutes(30), "quiet")), CancellationToken.None);
        Assert.Contains("below the policy's minimum 6", again.Markdown, StringComparison.Ordinal);
        var code2 = System.Text.RegularExpressions.Regex.Match(again.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        Assert.Equal(CommandOutcome.Done, (await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code2)), CancellationToken.None)).Outcome);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    /// <summary>
    /// "2->0" is below every policy's minimum, so it asked for a confirmation; confirmed, it was a pin of 0 replicas with
    /// allowOutsideBounds (a store without the CRD's schema scaled the workload to zero). Refused for every channel now.
    /// </summary>
    [Fact]
    public async Task ScaleToZero_Confirmed_IsRefused_NothingPinnedOrScaled()
    {
        await SeedAsync();

        var asked = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 0, TimeSpan.FromMinutes(30), "x")), CancellationToken.None);
        var code = System.Text.RegularExpressions.Regex.Match(asked.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        var done = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, done.Outcome);
        Assert.Contains("scaling to zero is not supported", done.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Pin);
        Assert.Empty(await _server.Proposals.ListAsync("shop", CancellationToken.None));
    }

    /// <summary>The group reply to a rejection quotes the typed reason: as text, not as a link or bold type (the card already escaped it).</summary>
    [Fact]
    public async Task Reject_ReasonWithMarkdown_IsQuotedAsTextInTheGroupReply()
    {
        await SeedAsync();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new RejectCommand("shop", "checkout-api", "[login](http://evil.example) **now**")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.DoesNotContain("[login](http", reply.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("**now**", reply.Markdown, StringComparison.Ordinal);
        Assert.Contains(@"\[login\]", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FreezeWholeNamespace_WaitsForTheSender()
    {
        var (asked, done) = await FreezeTwoShopPoliciesAsync();

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Equal(CommandOutcome.Done, done.Outcome);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Equal("zhangsan", p.Spec.Freeze?.By));
    }

    [Fact]
    public async Task UnfreezeWholeNamespace_LiftsEveryFreezeAtOnce_ThenSaysNoneIsFrozen()
    {
        // Live: `freeze feed/* …` froze four policies, and `unfreeze feed/*` was refused: `feed/*` is not `namespace/name`.
        await FreezeTwoShopPoliciesAsync();

        var lifted = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", null)), CancellationToken.None);
        var again = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", null)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, lifted.Outcome);
        Assert.Contains("unfrozen by zhangsan", lifted.Markdown, StringComparison.Ordinal);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Null(p.Spec.Freeze));
        Assert.Equal((CommandOutcome.Refused, true), (again.Outcome, again.Private));
        Assert.Equal("No policy of namespace `shop` is frozen. Nothing was changed.", again.Markdown);
    }

    [Fact]
    public async Task UnfreezeWholeNamespace_APolicyStillPinned_TheAnswerSaysSo()
    {
        // The namespace answer said "the policies decide again" while a pin still held one of them.
        await FreezeTwoShopPoliciesAsync();
        var cart = (await _server.Policies.GetAsync("shop", "cart-api", CancellationToken.None))!;
        var until = _server.Time.GetUtcNow().AddHours(2);
        await _server.Policies.UpsertAsync(cart with { Spec = cart.Spec with { Pin = new PinSpec { Replicas = 6, Until = until, Reason = "gala", By = "lisi" } } }, CancellationToken.None);

        var lifted = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", null)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, lifted.Outcome);
        Assert.Contains("the policies decide again, except cart-api still pinned at 6 until", lifted.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("checkout-api still", lifted.Markdown, StringComparison.Ordinal);
    }

    /// <summary>zhangsan freezes <c>shop/*</c> (checkout-api and cart-api) and confirms it: the question, then the answer.</summary>
    private async Task<(CommandReply Asked, CommandReply Done)> FreezeTwoShopPoliciesAsync()
    {
        await SeedAsync();
        await _server.Policies.UpsertAsync(TestPolicies.Approval(name: "cart-api"), CancellationToken.None);
        var asked = await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident")), CancellationToken.None);
        var code = System.Text.RegularExpressions.Regex.Match(asked.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        return (asked, await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None));
    }

    [Fact]
    public async Task FreezeWholeNamespace_TheQuestionAndTheEventShowTheStarAsTyped()
    {
        // Live: the question read `freeze shop/  for 10m test` (the * dropped as a markdown character): the risky part unseen.
        await SeedAsync();
        const string Typed = "freeze shop/* for 1h incident";

        var asked = await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), Typed), CancellationToken.None);
        var code = System.Text.RegularExpressions.Regex.Match(asked.Markdown, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Contains("`freeze shop/＊ for 1h incident`", asked.Markdown, StringComparison.Ordinal);
        Assert.Contains("it freezes every policy of namespace `shop` (there is one)", asked.Markdown, StringComparison.Ordinal); // not "all 1 policies"
        var audit = Assert.Single(_server.Events.Recorded, e => e.Reason == ChatCommandService.ChatCommandReason);
        Assert.Contains("\"freeze shop/＊ for 1h incident (confirmed by zhangsan)\"", audit.Message, StringComparison.Ordinal);
        Assert.Equal(new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), ScaleControl.DingTalk.Chat.ChatCommandParser.Parse("freeze shop/＊ for 1h incident").Command);
    }

    [Fact]
    public async Task UnpinAndUnfreeze_WithNothingInForce_AreRefusedPrivately_NothingAnnouncedOrRecorded()
    {
        // Live: a second `unpin` posted "pin removed by zhangsan" to the group again and left an Unpin in the history;
        // `unfreeze` of a policy not frozen answered "unfrozen by zhangsan" in the group.
        await SeedAsync();

        var unpin = await Inbox.ExecuteAsync(From("zhangsan", new UnpinCommand("shop", "checkout-api")), CancellationToken.None);
        var unfreeze = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", "checkout-api")), CancellationToken.None);

        Assert.Equal((CommandOutcome.Refused, true), (unpin.Outcome, unpin.Private));
        Assert.Equal("**shop/checkout-api** is not pinned. Nothing was changed.", unpin.Markdown);
        Assert.Equal((CommandOutcome.Refused, true), (unfreeze.Outcome, unfreeze.Private));
        Assert.Equal("**shop/checkout-api** is not frozen. Nothing was changed.", unfreeze.Markdown);
        Assert.Empty(_server.Notices.Published);
        Assert.Empty(_server.Events.Recorded);
        var now = _server.Time.GetUtcNow();
        Assert.Empty(await _server.Service<HistoryService>().ListAsync("shop", now.AddHours(-1), now, CancellationToken.None));
    }

    [Fact]
    public async Task Unpin_WhileFrozen_SaysTheFreezeStillHolds_NotThatThePolicyDecidesAgain()
    {
        // Live: the group read "pin removed by zhangsan; the policy decides again" while a freeze kept it from changing anything.
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 4, TimeSpan.FromMinutes(30), "launch")), CancellationToken.None);
        await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", "checkout-api", TimeSpan.FromHours(1), "db migration")), CancellationToken.None);

        var unpin = await Inbox.ExecuteAsync(From("zhangsan", new UnpinCommand("shop", "checkout-api")), CancellationToken.None);
        var unfreeze = await Inbox.ExecuteAsync(From("zhangsan", new UnfreezeCommand("shop", "checkout-api")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, unpin.Outcome);
        Assert.Equal("**shop/checkout-api** unpinned by zhangsan: still frozen until 2026-11-25 11:00:00Z by zhangsan: the policy changes nothing before.", unpin.Markdown);
        Assert.Equal("**shop/checkout-api** pin removed by zhangsan; still frozen until 2026-11-25 11:00:00Z by zhangsan: the policy changes nothing before",
            _server.Notices.Published.Last(n => n.Kind == NoticeKind.Pinned).Markdown);
        Assert.Equal("**shop/checkout-api** unfrozen by zhangsan: the policy decides again.", unfreeze.Markdown);
    }

    [Fact]
    public async Task Undo_OfAPin_NamesTheChatsUnpinCommand_NotScalectls()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 4, TimeSpan.FromMinutes(30), "launch")), CancellationToken.None);

        var undo = await Inbox.ExecuteAsync(From("zhangsan", new UndoCommand("shop", "checkout-api", null)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, undo.Outcome);
        Assert.Contains("a pin is taken back with `unpin`, not undo", undo.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("scalectl", undo.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_NamesAnUnpinAsUnpinned()
    {
        // Live: `history` listed the unpin as "Pinned by zhangsan (DingTalkChat)", as if it had pinned again.
        await SeedAsync();
        await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala")), CancellationToken.None);
        var unpinned = await Inbox.ExecuteAsync(From("zhangsan", new UnpinCommand("shop", "checkout-api")), CancellationToken.None);

        var history = await Inbox.ExecuteAsync(From("wangwu", new HistoryCommand("shop", "checkout-api")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, unpinned.Outcome);
        Assert.Contains("Unpinned by zhangsan (DingTalkChat)", history.Markdown, StringComparison.Ordinal);
        Assert.Contains("Pinned 2 → 6 by zhangsan (DingTalkChat)", history.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, history.Markdown.Split("\n- ").Length - 1);
    }

    [Fact]
    public async Task RiskyCommand_SendsAConfirmationCardToTheSenderOnly_SomeoneElseCannotConfirm_TheSenderCan()
    {
        await SeedAsync();
        await _server.Policies.UpsertAsync(TestPolicies.Approval(name: "cart-api"), CancellationToken.None);

        var asked = await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), "freeze shop/* for 1h incident"), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        var byOther = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(card.Code)), CancellationToken.None);
        var bySender = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(card.Code), $"tapped Confirm ({card.Code})"), CancellationToken.None);

        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Contains($"tap **Confirm** on the card or send `confirm {card.Code}`", asked.Markdown, StringComparison.Ordinal);
        Assert.Equal(("zhangsan", "cidOnCall=="), (card.Sender, card.Conversation));
        Assert.Equal(["zhangsan"], card.Confirmers);
        Assert.Equal(CommandOutcome.Refused, byOther.Outcome);
        Assert.Contains("Only zhangsan can confirm", byOther.Markdown, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Done, bySender.Outcome);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Equal("zhangsan", p.Spec.Freeze?.By));
        Assert.Equal((card.Code, "confirmed"), Assert.Single(_server.ConfirmationCards.Closed) is var closed ? (closed.Code, closed.Status) : default);
    }

    [Fact]
    public async Task TwoPersonRule_TheCardGoesToTheOtherApprovers_TheirConfirmIsTheirApproval()
    {
        var policy = TestPolicies.Approval();
        await SeedAsync(policy with { Spec = policy.Spec with { MaxReplicas = 10, Approval = policy.Spec.Approval! with { RequiredApprovals = 2 } } });

        await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 12, TimeSpan.FromMinutes(30), "launch")), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        var tapped = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(card.Code), $"tapped Confirm ({card.Code})"), CancellationToken.None);

        Assert.DoesNotContain("zhangsan", card.Confirmers);
        Assert.Contains("lisi", card.Confirmers);
        Assert.Equal(CommandOutcome.Done, tapped.Outcome);
        Assert.Equal(12, _server.Workloads.Replicas("shop", "checkout-api"));
        var pinned = (await _server.Proposals.ListAsync("shop", CancellationToken.None)).Single();
        Assert.Equal(["lisi", "zhangsan"], pinned.Status.Approvals.Select(a => a.User).Order());
    }

    [Fact]
    public async Task TwoPersonRule_AConfirmerTakenOffTheRosterSinceTheAsk_CannotConfirm_NothingChanges()
    {
        // The rota changed in a storm: lisi was taken off the policy's approvers after zhangsan's `freeze shop/*` asked for
        // a second person. The roster stored with the question still named lisi, and lisi's confirm froze the namespace.
        var policy = TestPolicies.Approval();
        await SeedAsync(policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { RequiredApprovals = 2 } } });
        await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), "freeze shop/* for 1h incident"), CancellationToken.None);
        var card = Assert.Single(_server.ConfirmationCards.Sent);
        Assert.Equal(["lisi"], card.Confirmers);
        var asked = (await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!;
        await _server.Policies.UpsertAsync(asked with { Spec = asked.Spec with { Approval = asked.Spec.Approval! with { Approvers = ["zhangsan", "wangwu"] } } }, CancellationToken.None);

        var byRemoved = await Inbox.ExecuteAsync(From("lisi", new ConfirmCommand(card.Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, byRemoved.Outcome);
        Assert.Contains("lisi is no longer an approver of policy shop/checkout-api", byRemoved.Markdown, StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Freeze);
        Assert.NotNull(await _server.Service<ChatConfirmations>().FindAsync(card.Code, CancellationToken.None)); // still waits for an approver on the roster
    }

    [Fact]
    public async Task TwoPersonRule_TheAskerNoLongerAKnownPerson_TheirCommandIsNotConfirmed_NothingChanges()
    {
        // zhangsan asked, then left the rota (ScaleControl:Auth:People, read at start): lisi's confirm ran the command
        // with lisi's own rights, recorded as zhangsan's.
        var policy = TestPolicies.Approval();
        await SeedAsync(policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { RequiredApprovals = 2 } } });
        await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident"), "freeze shop/* for 1h incident"), CancellationToken.None);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;
        using var restarted = _server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:Auth:People:0:UserId", "zhaoliu"));

        var byLisi = await restarted.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(From("lisi", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, byLisi.Outcome);
        Assert.Contains("zhangsan, who asked, is no longer in `ScaleControl:Auth:People`", byLisi.Markdown, StringComparison.Ordinal);
        Assert.Null((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.Freeze);
    }

    [Fact]
    public async Task Undo_ByWorkloadName_TakesTheNewestAppliedChangeBack_RecordedAsChat_AViewerCannot()
    {
        // Live: the group's notices say "Undo: scalectl undo …", but on the phone `undo shop/checkout-api` was an unknown command.
        var pending = await ApprovedScaleUpAsync();
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));

        var viewer = await Inbox.ExecuteAsync(From("wangwu", new UndoCommand("shop", "checkout-api", null)), CancellationToken.None);
        var missing = await Inbox.ExecuteAsync(From("lisi", new UndoCommand("shop", "nothing-here", null)), CancellationToken.None);
        Assert.Equal((CommandOutcome.Refused, CommandOutcome.Refused), (viewer.Outcome, missing.Outcome));
        Assert.Contains("No applied change `shop/nothing-here`", missing.Markdown, StringComparison.Ordinal);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));

        var undone = await Inbox.ExecuteAsync(From("lisi", new UndoCommand("shop", "checkout-api", "bot traffic")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, undone.Outcome);
        Assert.Contains("**shop/checkout-api** 10 → 4", undone.Markdown, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        var original = (await _server.Proposals.GetAsync("shop", pending.Metadata.Name, CancellationToken.None))!;
        Assert.Equal("lisi", original.Status.Undo?.By);
        var undo = (await _server.Proposals.GetAsync("shop", original.Status.Undo!.Proposal, CancellationToken.None))!;
        Assert.Equal(("lisi", ApprovalChannel.DingTalkChat), (undo.Status.Approvals.Single().User, undo.Status.Approvals.Single().Channel));
    }

    /// <summary>checkout-api 4 → 10, proposed by the loop and approved by zhangsan on the card.</summary>
    private async Task<ScaleProposal> ApprovedScaleUpAsync()
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", CancellationToken.None));
        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), CancellationToken.None);
        return pending;
    }

    [Fact]
    public async Task Approve_AfterACardTapApprovedIt_SaysWhoAlreadyApproved_NotThatNoneIsPending()
    {
        var tapped = await ApprovedScaleUpAsync();

        var late = await Inbox.ExecuteAsync(From("lisi", new ApproveCommand("shop", "checkout-api")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, late.Outcome);
        Assert.StartsWith($"**shop/checkout-api** has no pending proposal: `{tapped.Metadata.Name}` was already approved by zhangsan (", late.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectAll_ByAViewer_IsRefusedNamingRejectAll()
    {
        await SeedAsync();

        var reply = await Inbox.ExecuteAsync(From("wangwu", new RejectCommand("shop", "checkout-api", "no", AllRows: true)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.StartsWith("`reject all` needs the operator role in `shop`", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_ByWorkloadNameTwice_TheSecondIsRefused_TheUndoStands_NamingTheUndoTakesItBack()
    {
        // Live: a second `undo shop/checkout-api` undid the first undo, and the workload went back up 8 → 14.
        var pending = await ApprovedScaleUpAsync();
        _server.Time.Advance(TimeSpan.FromMinutes(1));
        var first = await Inbox.ExecuteAsync(From("lisi", new UndoCommand("shop", "checkout-api", null)), CancellationToken.None);
        Assert.Equal((CommandOutcome.Done, 4), (first.Outcome, _server.Workloads.Replicas("shop", "checkout-api")));
        var proposalsBefore = (await _server.Proposals.ListAsync("shop", CancellationToken.None)).Count;

        var again = await Inbox.ExecuteAsync(From("zhangsan", new UndoCommand("shop", "checkout-api", null)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, again.Outcome);
        var undo = (await _server.Proposals.GetAsync("shop", (await _server.Proposals.GetAsync("shop", pending.Metadata.Name, CancellationToken.None))!.Status.Undo!.Proposal, CancellationToken.None))!;
        Assert.Contains($"is already an undo: 10 → 4 by lisi at 2026-11-25 10:01:00Z (of `{pending.Metadata.Name}`). Nothing was changed.", again.Markdown, StringComparison.Ordinal);
        Assert.Contains($"`undo shop/{undo.Metadata.Name}`", again.Markdown, StringComparison.Ordinal);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(proposalsBefore, (await _server.Proposals.ListAsync("shop", CancellationToken.None)).Count);

        var named = await Inbox.ExecuteAsync(From("zhangsan", new UndoCommand("shop", undo.Metadata.Name, "it was real traffic")), CancellationToken.None);

        Assert.Equal((CommandOutcome.Done, 10), (named.Outcome, _server.Workloads.Replicas("shop", "checkout-api")));
    }

    [Fact]
    public async Task PendingConfirmation_SurvivesARestart_AndWorksOnce()
    {
        await SeedAsync();
        await _server.Policies.UpsertAsync(TestPolicies.Approval(name: "cart-api"), CancellationToken.None);
        await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident")), CancellationToken.None);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;

        using var restarted = _server.Restarted();
        var inbox = restarted.Service<ICommandInbox>();
        var done = await inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);
        var again = await inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, done.Outcome);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Equal("zhangsan", p.Spec.Freeze?.By));
        Assert.Equal(CommandOutcome.Refused, again.Outcome);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None),
            p => Assert.DoesNotContain(p.Metadata.Annotations ?? new Dictionary<string, string>(), a => a.Key.StartsWith(ChatConfirmations.AnnotationPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task PendingConfirmation_Expires()
    {
        await SeedAsync();
        await _server.Policies.UpsertAsync(TestPolicies.Approval(name: "cart-api"), CancellationToken.None);
        await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", null, TimeSpan.FromHours(1), "incident")), CancellationToken.None);
        var code = Assert.Single(_server.ConfirmationCards.Sent).Code;

        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        Assert.Empty(_server.ConfirmationCards.Closed); // still waiting: the card keeps its button

        _server.Time.Advance(ChatConfirmations.Lifetime + TimeSpan.FromSeconds(1));
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var late = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(code)), CancellationToken.None);

        // The loop closed the card once: it says it expired and has no Confirm button left.
        var closed = Assert.Single(_server.ConfirmationCards.Closed);
        Assert.Equal((code, "expired"), (closed.Code, closed.Status));
        Assert.Contains("without a confirmation; nothing was done", closed.Result, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Refused, late.Outcome);
        Assert.Contains("No command waits for", late.Markdown, StringComparison.Ordinal);
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None), p => Assert.Null(p.Spec.Freeze));
        Assert.All(await _server.Policies.ListAsync("shop", CancellationToken.None),
            p => Assert.DoesNotContain(p.Metadata.Annotations ?? new Dictionary<string, string>(), a => a.Key.StartsWith(ChatConfirmations.AnnotationPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Scale_OnAnObservePolicy_RefusedNamingTheMode_NoConfirmationAsked()
    {
        var policy = TestPolicies.Approval();
        await SeedAsync(policy with { Spec = policy.Spec with { Mode = ScaleMode.Observe } });

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 40, TimeSpan.FromMinutes(30), "storm")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.StartsWith("policy shop/checkout-api is in mode Observe: it shows what it would do and scales nothing, so it does not pin", reply.Markdown, StringComparison.Ordinal);
        Assert.EndsWith(". Nothing was changed.", reply.Markdown, StringComparison.Ordinal);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(_server.Workloads.Writes);
    }

    [Fact]
    public async Task Scale_BelowWhatThePolicyAsks_PinnedAndTheAnswerSaysSo()
    {
        await SeedAsync();
        var policy = (await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!;
        await _server.Policies.UpdateStatusAsync(policy with { Status = new ScalePolicyStatus { CurrentReplicas = 2, DesiredReplicas = 8 } }, CancellationToken.None);

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 4, TimeSpan.FromMinutes(30), "storm")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.EndsWith("⚠️ note: the policy asks for 8 now; the pin holds 4 for 30m", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_AboveTheClustersRoom_PinnedAndTheAnswerSaysSo()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 2, requests: new PodResources(500, 1L << 30));
        _server.Cluster.Room = new ClusterRoom([new NodeRoom("n1", 8000, 32L << 30, 110, 7000, 0, 10)]); // 1 CPU free: 2 pods

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new ScaleCommand("shop", "checkout-api", 2, 6, TimeSpan.FromMinutes(30), "gala")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Equal(6, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.EndsWith("⚠️ room: only 2 of the 4 pods this pin adds fit on the nodes now; 2 would stay Pending (needs ~1 more node)", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proposals_JustAfterTheLoopAmendedACard_ShowTheAmendedTarget_NotTheWatchCachesOld()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 4);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var asked = Assert.Single(await _server.Proposals.ListAsync("shop", CancellationToken.None));
        Assert.Equal(10, asked.Spec.ToReplicas);

        // The watch cache has not seen the amendment yet (on a busy API server, or the leader wrote it from another replica).
        using var listing = _server.Proposals.LagListing();
        using var reads = _server.Proposals.LagReads();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 2000);
        _server.Time.Advance(TimeSpan.FromSeconds(30));
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var amended = await _server.Proposals.GetCurrentAsync("shop", asked.Metadata.Name, CancellationToken.None);
        Assert.Equal(20, amended!.Spec.ToReplicas);
        Assert.Equal(10, Assert.Single(await _server.Proposals.ListAsync("shop", CancellationToken.None)).Spec.ToReplicas); // the cache still lags

        var reply = await Inbox.ExecuteAsync(From("wangwu", new ProposalsCommand()), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains($"`shop/{asked.Metadata.Name}` checkout-api 4 → 20 · Pending", reply.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("4 → 10", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proposals_DecidedSinceTheCacheSawThem_LeftOutOfTheAnswerAndTheCount()
    {
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 4);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var asked = Assert.Single(await _server.Proposals.ListAsync("shop", CancellationToken.None));
        using var listing = _server.Proposals.LagListing();

        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", asked.Metadata.Name, "lisi", ApprovalChannel.DingTalk, false, Reason: "bot traffic"), CancellationToken.None);
        var reply = await Inbox.ExecuteAsync(From("wangwu", new ProposalsCommand()), CancellationToken.None);

        Assert.Equal("**No open proposals.**", reply.Markdown);
    }

    [Fact]
    public async Task TypedMarkdown_ShowsLiterally_InTheAnswerAndTheGroupNotice()
    {
        // An operator's reason reaches the group as markdown: a typed link must not become a clickable one.
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        const string Reason = "see [runbook](http://evil.example)";

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", "checkout-api", TimeSpan.FromHours(1), Reason)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains(@"see \[runbook\]\(http://evil.example)", reply.Markdown, StringComparison.Ordinal);
        var notice = Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.Frozen);
        Assert.Contains(@"see \[runbook\]\(http://evil.example)", notice.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("](", notice.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_ANameWrittenByHandIntoARecord_ShowsAsTyped_NotAsALink()
    {
        // Live: an approval written into a proposal's status with kubectl, user "[boss](http://evil.example)", came back
        // in the group's `history` answer as a link whose target was hidden; the card showed it as text.
        await _server.Policies.UpsertAsync(TestPolicies.Approval(), CancellationToken.None);
        _server.Workloads.Add("shop", "checkout-api", 4);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await _server.Service<Reconciler>().TickAsync(CancellationToken.None);
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", CancellationToken.None));
        const string Forged = "[boss](http://evil.example)";
        var handWritten = new ApprovalRecord { User = Forged, Channel = ApprovalChannel.DingTalk, At = _server.Time.GetUtcNow(), Replicas = 10 };
        await _server.Proposals.UpdateAsync(pending with { Status = pending.Status with { Approvals = [handWritten] } }, CancellationToken.None);

        var history = await Inbox.ExecuteAsync(From("wangwu", new HistoryCommand("shop", "checkout-api")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, history.Outcome);
        Assert.Contains(@"by \[boss\]\(http://evil.example) (DingTalk) — unverified record", history.Markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("](", history.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Freeze_NamesTheWorkload_NotAnotherWorkloadsPolicyOfThatName()
    {
        // Policy "api" scales workload api-v2; policy "api-legacy" scales workload api. "freeze shop/api" means the workload
        // api, as unfreeze, scale and unpin read it: else unfreeze shop/api would lift a different policy than was frozen.
        var ofV2 = TestPolicies.Auto("shop", "api-v2");
        await _server.Policies.UpsertAsync(ofV2 with { Metadata = ofV2.Metadata with { Name = "api" } }, CancellationToken.None);
        var ofApi = TestPolicies.Auto("shop", "api");
        await _server.Policies.UpsertAsync(ofApi with { Metadata = ofApi.Metadata with { Name = "api-legacy" } }, CancellationToken.None);

        var reply = await Inbox.ExecuteAsync(From("zhangsan", new FreezeCommand("shop", "api", TimeSpan.FromHours(1), "release")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.NotNull((await _server.Policies.GetAsync("shop", "api-legacy", CancellationToken.None))!.Spec.Freeze);
        Assert.Null((await _server.Policies.GetAsync("shop", "api", CancellationToken.None))!.Spec.Freeze);
    }

    [Fact]
    public async Task Prepare_ByAnOperator_RecordsTheExpectedEventWithChannelDingTalkChat()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        _server.Metrics.SetHistory(TestPolicies.Query("checkout-api"), _ => 550); // 6 pods of 100 QPS at that time yesterday
        var at = new EventTime { After = TimeSpan.FromHours(2) };
        var prepare = new PrepareCommand("shop", "checkout-api", at, TimeSpan.FromMinutes(20), Multiplier: 3, Replicas: null, "push to 30M users");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", prepare, "prepare shop/checkout-api at +2h expect 3x for 20m reason push to 30M users"), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.False(reply.Private);
        Assert.Contains("floor **18** replicas (3x of 6: the demand 1 day before, at 2026-11-24 12:00Z; 2 running now)", reply.Markdown, StringComparison.Ordinal);
        var expected = Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
        Assert.Equal((18, "zhangsan", "DingTalkChat", "push to 30M users"), (expected.Replicas, expected.By, expected.Channel, expected.Reason));
        Assert.Equal(_server.Time.GetUtcNow().AddHours(2), expected.At);
        Assert.Equal(2, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Theory]
    // Live: "floor 20 replicas (2x of 12)" in the answer, while the group's notice said "capped by maxReplicas from 24".
    // No metric history that far back: the base is today's count, and the answer says so.
    [InlineData(30.0, null, "floor **50** replicas (30x of 2: 2 running now; no forecast: no data for that time 1 or 7 days before; capped by maxReplicas from 60)", "floor 50 replicas (30x of 2: 2 running now; no forecast: no data for that time 1 or 7 days before; capped by maxReplicas from 60)")]
    // Live: the answer read as a floor put in place; only the notice said it changes nothing at today's count.
    [InlineData(null, 2, "\n\nAt or below today's 2 replicas, so it changes nothing unless the workload is scaled below it by then.", "; at or below today's 2 replicas, so it changes nothing")]
    public async Task Prepare_TheAnswerCarriesTheNoticesCaveats(double? multiplier, int? replicas, string inAnswer, string inNotice)
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        var prepare = new PrepareCommand("shop", "checkout-api", new EventTime { After = TimeSpan.FromHours(2) }, TimeSpan.FromMinutes(20), multiplier, replicas, "gala");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", prepare, "prepare shop/checkout-api at +2h … for 20m reason gala"), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains(inAnswer, reply.Markdown, StringComparison.Ordinal);
        Assert.Contains(inNotice, Assert.Single(_server.Notices.Published, n => n.Kind == NoticeKind.EventExpected).Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_ByAViewer_IsRefusedPrivatelyAndNothingIsRecorded()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        var prepare = new PrepareCommand("shop", "checkout-api", new EventTime { Clock = new TimeOnly(20, 0) }, TimeSpan.FromMinutes(20), 3, null, "push");

        var reply = await Inbox.ExecuteAsync(From("wangwu", prepare), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.True(reply.Private);
        Assert.Contains("operator role in `shop`", reply.Markdown, StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Prepare_BeyondMaxReplicas_IsRefusedWithTheServicesReason()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        var prepare = new PrepareCommand("shop", "checkout-api", new EventTime { After = TimeSpan.FromHours(1) }, TimeSpan.FromMinutes(20), null, 500, "push");

        var reply = await Inbox.ExecuteAsync(From("zhangsan", prepare), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.Contains("above the policy's maxReplicas", reply.Markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_ClockTime_IsReadInTheChatTimeZone_AndAnsweredWithItsOffsetAndOtherDaysDate_HelpNamesTheZone()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        using var beijing = _server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:DingTalk:TimeZone", "Asia/Shanghai"));
        var prepare = new PrepareCommand("shop", "checkout-api", new EventTime { Clock = new TimeOnly(20, 0) }, TimeSpan.FromMinutes(20), 3, null, "push");

        // 10:00Z is 18:00 in Beijing: 20:00 is 12:00Z today, not 20:00Z.
        var reply = await beijing.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(From("zhangsan", prepare), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        var expected = Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), expected.At);
        Assert.Contains("expects traffic at 20:00 UTC+08:00", reply.Markdown, StringComparison.Ordinal);
        Assert.Contains($"`unprepare shop/checkout-api {expected.Name}`", reply.Markdown, StringComparison.Ordinal);
        var help = await beijing.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(From("zhangsan", new HelpCommand()), CancellationToken.None);
        Assert.Contains("times in Asia/Shanghai (UTC+08:00 now)", help.Markdown, StringComparison.Ordinal);
        Assert.Contains("`unprepare ns/workload`", help.Markdown, StringComparison.Ordinal);

        // 08:00 there is over today: tomorrow's, and the answer carries the date.
        var tomorrow = await beijing.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(
            From("zhangsan", prepare with { At = new EventTime { Clock = new TimeOnly(8, 0) } }), CancellationToken.None);
        Assert.Contains("expects traffic at 2026-11-26 08:00 UTC+08:00", tomorrow.Markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prepare shop/checkout-api at 0001-01-01 00:00 expect 3x for 20m reason push", "Asia/Shanghai")]
    [InlineData("prepare shop/checkout-api at 9999-12-31 23:00 expect 3x for 20m reason push", "America/New_York")]
    public async Task Prepare_LocalDateAtTheEndOfTheCalendar_IsRefusedAsTyped_NotAFailureInside(string typed, string zone)
    {
        // Year 1 at 00:00 in Beijing is before the first instant .NET can hold: resolving it threw, and the sender read
        // "`prepare` failed inside ScaleControl" instead of what was wrong with the time.
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        using var zoned = _server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:DingTalk:TimeZone", zone));
        var parsed = ScaleControl.DingTalk.Chat.ChatCommandParser.Parse(typed);

        var reply = parsed.Command is { } command
            ? await zoned.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(From("zhangsan", command, typed), CancellationToken.None)
            : CommandReply.Refused(parsed.Error!);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.Contains("the year must be", reply.Markdown, StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Prepare_LocalTimeTheClocksSkip_IsRefusedAndNothingIsRecorded()
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        using var newYork = _server.WithWebHostBuilder(b => b.UseSetting("ScaleControl:DingTalk:TimeZone", "America/New_York"));
        var skipped = new EventTime { Local = new DateTime(2027, 3, 14, 2, 30, 0) }; // clocks go 02:00 → 03:00 that night
        _server.Time.SetUtcNow(new DateTimeOffset(2027, 3, 13, 12, 0, 0, TimeSpan.Zero));

        var reply = await newYork.Services.GetRequiredService<ICommandInbox>().ExecuteAsync(
            From("zhangsan", new PrepareCommand("shop", "checkout-api", skipped, TimeSpan.FromMinutes(20), 3, null, "push")), CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Outcome);
        Assert.Contains("does not exist in America/New_York", reply.Markdown, StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Unprepare_ByAnOperator_CancelsTheEventAndRecordsWhoAndTheChannel()
    {
        var name = await PreparedAsync(TimeSpan.FromHours(2));

        var reply = await Inbox.ExecuteAsync(From("lisi", new UnprepareCommand("shop", "checkout-api", name), $"unprepare shop/checkout-api {name}"), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, reply.Outcome);
        Assert.Contains($"event `{name}`", reply.Markdown, StringComparison.Ordinal);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
        var history = await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-1), _server.Time.GetUtcNow(), CancellationToken.None);
        Assert.Contains(history, h => h.Kind == HistoryKind.Unprepared && h.By == "lisi" && h.Channel == "DingTalkChat");
    }

    [Fact]
    public async Task Unprepare_WithoutOrWithAnUnknownEvent_ListsTheEventsPrivately_NothingChanges()
    {
        var name = await PreparedAsync(TimeSpan.FromHours(2));

        var list = await Inbox.ExecuteAsync(From("zhangsan", new UnprepareCommand("shop", "checkout-api", null)), CancellationToken.None);
        var unknown = await Inbox.ExecuteAsync(From("zhangsan", new UnprepareCommand("shop", "checkout-api", "event-19990101-0000")), CancellationToken.None);
        var byViewer = await Inbox.ExecuteAsync(From("wangwu", new UnprepareCommand("shop", "checkout-api", name)), CancellationToken.None);

        Assert.All(new[] { list, unknown, byViewer }, r => Assert.True(r.Outcome == CommandOutcome.Refused && r.Private));
        Assert.Contains($"- `{name}` at 12:00 UTC for 20m: floor 6 by zhangsan", list.Markdown, StringComparison.Ordinal);
        Assert.Contains("has no event `event-19990101-0000`", unknown.Markdown, StringComparison.Ordinal);
        Assert.Contains($"`{name}`", unknown.Markdown, StringComparison.Ordinal);
        Assert.Contains("operator role in `shop`", byViewer.Markdown, StringComparison.Ordinal);
        Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
    }

    [Fact]
    public async Task Unprepare_FloorInForceNow_WaitsForTheSendersConfirmation()
    {
        var name = await PreparedAsync(TimeSpan.FromSeconds(30)); // the floor starts ~2 minutes before: in force now

        var asked = await Inbox.ExecuteAsync(From("zhangsan", new UnprepareCommand("shop", "checkout-api", name)), CancellationToken.None);
        Assert.Equal(CommandOutcome.NeedsConfirmation, asked.Outcome);
        Assert.Contains("is in force now", asked.Markdown, StringComparison.Ordinal);
        Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);

        var confirmed = await Inbox.ExecuteAsync(From("zhangsan", new ConfirmCommand(Assert.Single(_server.ConfirmationCards.Sent).Code)), CancellationToken.None);

        Assert.Equal(CommandOutcome.Done, confirmed.Outcome);
        Assert.Empty((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents);
    }

    /// <summary>zhangsan announces 3x traffic at now + <paramref name="after"/> for 20 minutes; the event's name.</summary>
    private async Task<string> PreparedAsync(TimeSpan after)
    {
        await SeedAsync(TestPolicies.Auto("shop", "checkout-api"));
        var prepare = new PrepareCommand("shop", "checkout-api", new EventTime { After = after }, TimeSpan.FromMinutes(20), 3, null, "push");
        Assert.Equal(CommandOutcome.Done, (await Inbox.ExecuteAsync(From("zhangsan", prepare), CancellationToken.None)).Outcome);
        return Assert.Single((await _server.Policies.GetAsync("shop", "checkout-api", CancellationToken.None))!.Spec.ExpectedEvents).Name;
    }

    public void Dispose() => _server.Dispose();
}
