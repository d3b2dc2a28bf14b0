using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Sandbox.DingTalk.Cards;
using ScaleControl.Sandbox.DingTalk.Robots;

namespace ScaleControl.DingTalk.Tests.Emulator;

public class EscalationAndNoticeTests
{
    private static readonly Dictionary<string, string?> s_webhook = new()
    {
        ["ScaleControl:DingTalk:Webhooks:ops:AccessToken"] = "sandbox-webhook-token-0001",
        ["ScaleControl:DingTalk:Webhooks:ops:Secret"] = "SEC0123456789sandboxwebhooksecret",
        ["ScaleControl:DingTalk:Webhooks:ops:Keywords:0"] = "ScaleControl",
    };

    private static ScaleProposal SentProposal() =>
        SampleProposals.Pending().With(new ScaleProposalStatus { Card = new CardReference { OutTrackId = "shop.checkout-api-7f3a", OpenConversationId = DingTalkWorld.Group } });

    private static Notice Notice(NotificationSpec route, string title = "Scaled shop/checkout-api") =>
        new(NoticeKind.ScaledAutomatically, new WorkloadRef("shop", "Deployment", "checkout-api"), title, "checkout-api **20 → 24** (qps 12k)", route);

    [Fact]
    public async Task EscalateAsync_DingAvailable_SendsDingOfTheConfiguredType()
    {
        await using var world = await DingTalkWorld.StartAsync();

        var record = await world.ClientService<IApprovalNotifier>().EscalateAsync([SentProposal()], new EscalationSpec { DingType = DingType.Sms }, ["zhangsan", "lisi"], CancellationToken.None);

        Assert.Equal(DingEscalation.ViaDing, record.Via);
        Assert.Equal(["zhangsan", "lisi"], record.Receivers);
        var ding = Assert.Single(world.EmulatorService<MessageLog>().All, m => m.Kind == MessageKind.Ding);
        Assert.Equal(2, ding.RemindType);
        Assert.Equal(["zhangsan", "lisi"], ding.Receivers);
        Assert.Contains("shop/checkout-api 20 → 60", ding.Text);
    }

    [Fact]
    public async Task EscalateAsync_GroupCardRows_OneDingNamesEveryRowWaiting()
    {
        await using var world = await DingTalkWorld.StartAsync();
        ScaleProposal Row(string name, int from, int to)
        {
            var p = SampleProposals.Pending(from, to, name: name);
            return p with { Metadata = p.Metadata with { Namespace = "feed" }, Spec = p.Spec with { Group = "feed-chain", Target = p.Spec.Target with { Name = name } } };
        }

        await world.ClientService<IApprovalNotifier>().EscalateAsync([Row("feed-api", 2, 7), Row("feed-gateway", 2, 6)], new EscalationSpec(), ["zhangsan"], CancellationToken.None);

        var ding = Assert.Single(world.EmulatorService<MessageLog>().All, m => m.Kind == MessageKind.Ding);
        Assert.StartsWith("Scale approval pending: feed-chain, 2 services: feed/feed-api 2 → 7, feed/feed-gateway 2 → 6, expires ", ding.Text, StringComparison.Ordinal);
    }

    /// <summary>Ungrouped cards of one pass, a card each: shop/svc-00 4 → 10 on card shop.svc-00, and so on, expiring a minute apart.</summary>
    private static List<ScaleProposal> CardsOfOnePass(int count) =>
    [
        .. Enumerable.Range(0, count).Select(i =>
        {
            var p = SampleProposals.Pending(4, 10, name: $"svc-{i:00}-1a2b");
            return p with
            {
                Spec = p.Spec with { Target = p.Spec.Target with { Name = $"svc-{i:00}" }, ExpiresAt = p.Spec.ExpiresAt.AddMinutes(count - i) },
                Status = new ScaleProposalStatus { Card = new CardReference { OutTrackId = $"shop.svc-{i:00}-1a2b", OpenConversationId = DingTalkWorld.Group } },
            };
        }),
    ];

    [Fact]
    public async Task EscalateAsync_CardsOfOnePass_OneDingNamesTheFirstFiveAndTheFirstExpiry_TheRecordSaysHowManyCards()
    {
        await using var world = await DingTalkWorld.StartAsync();
        var rows = CardsOfOnePass(7);

        var record = await world.ClientService<IApprovalNotifier>().EscalateAsync(rows, new EscalationSpec { DingType = DingType.Call }, ["zhangsan", "lisi"], CancellationToken.None);

        var ding = Assert.Single(world.EmulatorService<MessageLog>().All, m => m.Kind == MessageKind.Ding);
        Assert.Equal(3, ding.RemindType);
        Assert.Equal(
            $"Scale approvals pending: 7 cards: shop/svc-00 4 → 10, shop/svc-01 4 → 10, shop/svc-02 4 → 10, shop/svc-03 4 → 10, "
            + "shop/svc-04 4 → 10, and 2 more, first expires 10:43:00 UTC", ding.Text);
        Assert.Equal(DingEscalation.ViaDing, record.Via);
        Assert.EndsWith(" for 7 cards", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EscalateAsync_StandardEdition_CardsOfOnePass_OneReminderCardNamesThem()
    {
        await using var world = await DingTalkWorld.StartAsync(o => o.Edition = "Standard");

        var record = await world.ClientService<IApprovalNotifier>().EscalateAsync(CardsOfOnePass(3), new EscalationSpec(), ["zhangsan", "lisi"], CancellationToken.None);

        Assert.Equal(DingEscalation.ViaGroupMention, record.Via);
        Assert.Contains("reminder card for 3 cards", record.Message, StringComparison.Ordinal);
        var reminder = Assert.Single(world.EmulatorService<CardStore>().All);
        Assert.Equal(
            $"Scale approvals pending: 3 cards: shop/svc-00 4 → 10, shop/svc-01 4 → 10, shop/svc-02 4 → 10",
            reminder.CardData["title"]);
        Assert.Equal(["lisi", "zhangsan"], Assert.Single(reminder.Spaces).AtUserIds.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(world.EmulatorService<MessageLog>().All, m => m.Kind is MessageKind.Ding or MessageKind.GroupMessage);
    }

    [Fact]
    public async Task EscalateAsync_StandardEdition_FallsBackToMentionInGroupAndSaysSo()
    {
        await using var world = await DingTalkWorld.StartAsync(o => o.Edition = "Standard");

        var record = await world.ClientService<IApprovalNotifier>().EscalateAsync([SentProposal()], new EscalationSpec(), [], CancellationToken.None);

        Assert.Equal(DingEscalation.ViaGroupMention, record.Via);
        Assert.Contains("ding.serverquota.insufficient", record.Message);
        Assert.Equal(["zhangsan", "lisi"], record.Receivers);
        var messages = world.EmulatorService<MessageLog>().All;
        Assert.DoesNotContain(messages, m => m.Kind == MessageKind.Ding);
        // A robot group message cannot @-mention anyone (DingTalk shows "@zhangsan" in its text as plain text): the
        // people are @-mentioned by delivering a card, which is what notifies them.
        Assert.DoesNotContain(messages, m => m.Kind == MessageKind.GroupMessage);
        var reminder = Assert.Single(world.EmulatorService<CardStore>().All, c => c.OutTrackId.StartsWith("remind.shop.checkout-api-7f3a-", StringComparison.Ordinal));
        var space = Assert.Single(reminder.Spaces);
        Assert.True(space.Success);
        Assert.Equal(DingTalkWorld.Group, space.SpaceId);
        Assert.Equal(["lisi", "zhangsan"], space.AtUserIds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("reminder", reminder.CardData["status"]);
        Assert.Contains("shop/checkout-api 20 → 60", reminder.CardData["title"], StringComparison.Ordinal);
        var shown = await world.CardAsync(reminder.OutTrackId);
        Assert.Empty(shown.GetProperty("buttons").EnumerateArray());
        Assert.Empty(shown.GetProperty("renderWarnings").EnumerateArray());
    }

    [Fact]
    public async Task EscalateAsync_DingThrottledBeyondTheRetries_ThrowsBusy_NoReminderCardInTheGroup()
    {
        // A storm of cards DINGs over the QPS limit: a throttle is "not now", not "no DING here"; a reminder card per
        // throttled DING would flood the group, so nothing is sent and the caller tries again next pass.
        await using var world = await DingTalkWorld.StartAsync();
        await world.ArmFaultAsync(new { api = "/v1.0/robot/ding/send", kind = "QpsLimit", times = -1 });

        await Assert.ThrowsAsync<NotifierBusyException>(() =>
            world.ClientService<IApprovalNotifier>().EscalateAsync([SentProposal()], new EscalationSpec(), ["zhangsan"], CancellationToken.None));

        Assert.Empty(world.EmulatorService<CardStore>().All);
        Assert.DoesNotContain(world.EmulatorService<MessageLog>().All, m => m.Kind is MessageKind.Ding or MessageKind.GroupMessage);
    }

    [Fact]
    public async Task EscalateAsync_StandardEdition_ReminderCardThrottled_ThrowsBusy_SentWholeOnTheNextPass()
    {
        // Storm walkthrough (DingTalk degraded): DING unavailable and the group's reminder card throttled was recorded
        // "failed" and never tried again, so nobody was ever called about the card. It is "not now", as a throttled DING.
        await using var world = await DingTalkWorld.StartAsync(o => o.Edition = "Standard");
        await world.ArmFaultAsync(new { api = "/v1.0/card/instances/createAndDeliver", kind = "QpsLimit", times = -1 });
        var notifier = world.ClientService<IApprovalNotifier>();

        var busy = await Assert.ThrowsAsync<NotifierBusyException>(() =>
            notifier.EscalateAsync([SentProposal()], new EscalationSpec(), ["zhangsan"], CancellationToken.None));
        Assert.Contains("reminder card", busy.Message, StringComparison.Ordinal);
        Assert.Empty(world.EmulatorService<CardStore>().All);

        await world.ClearFaultsAsync();
        var record = await notifier.EscalateAsync([SentProposal()], new EscalationSpec(), ["zhangsan"], CancellationToken.None);
        Assert.Equal(DingEscalation.ViaGroupMention, record.Via);
        Assert.Single(world.EmulatorService<CardStore>().All);
    }

    [Fact]
    public async Task PublishAsync_GroupRoute_PostsMarkdownThroughAppRobot()
    {
        await using var world = await DingTalkWorld.StartAsync();

        await world.ClientService<INoticePublisher>().PublishAsync(Notice(new NotificationSpec { OpenConversationId = DingTalkWorld.Group }), CancellationToken.None);

        var message = Assert.Single(world.EmulatorService<MessageLog>().All);
        Assert.Equal(MessageKind.GroupMessage, message.Kind);
        Assert.Equal("sampleMarkdown", message.Type);
        Assert.Equal("Scaled shop/checkout-api", message.Title);
    }

    [Fact]
    public async Task PublishAsync_GroupInAnotherZone_ShowsTheServicesUtcTimesInIt()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        await using var world = await DingTalkWorld.StartAsync(clientTime: clock, clientSettings: new() { ["ScaleControl:DingTalk:TimeZone"] = "Asia/Shanghai" });
        var notice = Notice(new NotificationSpec { OpenConversationId = DingTalkWorld.Group }) with
        {
            Markdown = "**shop/checkout-api** frozen until 2026-12-06 12:18:54Z by zhangsan: db migration",
        };

        await world.ClientService<INoticePublisher>().PublishAsync(notice, CancellationToken.None);

        var message = Assert.Single(world.EmulatorService<MessageLog>().All);
        Assert.Equal("**shop/checkout-api** frozen until 20:18:54 UTC+08:00 by zhangsan: db migration", message.Text);
    }

    [Fact]
    public async Task PublishAsync_SignedWebhookWithKeyword_Accepted()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: s_webhook);

        await world.ClientService<INoticePublisher>().PublishAsync(Notice(new NotificationSpec { Webhook = "ops" }), CancellationToken.None);

        var message = Assert.Single(world.EmulatorService<MessageLog>().All);
        Assert.Equal(MessageKind.Webhook, message.Kind);
        Assert.Contains("ScaleControl", message.Text);
    }

    [Fact]
    public async Task PublishAsync_MoreThanTwentyAMinute_ExcessDroppedBeforeDingTalkThrottles()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: s_webhook);
        var publisher = world.ClientService<INoticePublisher>();

        for (var i = 0; i < 25; i++)
        {
            await publisher.PublishAsync(Notice(new NotificationSpec { Webhook = "ops" }, $"notice {i}"), CancellationToken.None);
        }

        var sent = world.EmulatorService<MessageLog>().All.Where(m => m.Kind == MessageKind.Webhook).ToList();
        Assert.Equal(20, sent.Count);
        Assert.Equal("notice 19", sent[^1].Title);
    }

    [Fact]
    public async Task PublishAsync_WrongWebhookSecret_NotPostedAndDoesNotThrow()
    {
        await using var world = await DingTalkWorld.StartAsync(clientSettings: new(s_webhook) { ["ScaleControl:DingTalk:Webhooks:ops:Secret"] = "SECwrong" });

        await world.ClientService<INoticePublisher>().PublishAsync(Notice(new NotificationSpec { Webhook = "ops" }), CancellationToken.None);

        Assert.Empty(world.EmulatorService<MessageLog>().All);
    }

    [Fact]
    public async Task PublishAsync_GroupOutage_BestEffortNoThrow()
    {
        await using var world = await DingTalkWorld.StartAsync();
        (await world.Script.PostAsJsonAsync("faults", new { api = "*", kind = "Error", times = -1, statusCode = 400, code = "invalidParameter.param.invalid" })).EnsureSuccessStatusCode();

        await world.ClientService<INoticePublisher>().PublishAsync(Notice(new NotificationSpec { OpenConversationId = DingTalkWorld.Group }), CancellationToken.None);

        Assert.Empty(world.EmulatorService<MessageLog>().All);
    }
}
