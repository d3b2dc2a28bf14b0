using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Cards;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.DingTalk.Tests.Emulator;

/// <summary>
/// The robot in several groups of the emulator's tenant (the general on-call group, the shop team's, the feed team's,
/// each with its own members) and in one-to-one chats: each message is answered in its own conversation, a person's
/// message limit is theirs across all of them, and a confirmation asked in a one-to-one chat reaches its confirmer.
/// </summary>
public sealed class ChatAcrossGroupsTests
{
    private int _sent;

    [Fact]
    public async Task MessagesFromThreeConversations_EachAnsweredInItsOwn_RefusalsToTheSenderAlone()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.WaitForStreamConnectionsAsync(2, c => c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get"));

        await TypeAsync(world, "zhangsan", DingTalkSandboxOptions.ShopGroup, "@ScaleControl status");
        await TypeAsync(world, "wangwu", DingTalkSandboxOptions.FeedGroup, "@ScaleControl status");
        await TypeAsync(world, "lisi", null, "status");
        await TypeAsync(world, "wangwu", DingTalkSandboxOptions.FeedGroup, "@ScaleControl freeze feed/* for 1h storm");
        var replies = await WaitForAsync(world, ms => ms.Count(m => m.GetProperty("kind").GetString() == "SessionReply") == 3 && ms.Any(m => m.GetProperty("kind").GetString() == "OtoMessage"));

        Assert.Equal(
            [("lisi", null), ("wangwu", DingTalkSandboxOptions.FeedGroup), ("wangwu", DingTalkSandboxOptions.FeedGroup), ("zhangsan", DingTalkSandboxOptions.ShopGroup)],
            world.Commands.Requests.Select(r => (r.Sender, r.Conversation)).Order());
        var sessionReplies = replies.Where(m => m.GetProperty("kind").GetString() == "SessionReply").ToList();
        Assert.Equal(
            [("lisi", null, "1"), ("wangwu", DingTalkSandboxOptions.FeedGroup, "2"), ("zhangsan", DingTalkSandboxOptions.ShopGroup, "2")],
            sessionReplies.Select(m => (
                m.GetProperty("atUserIds").EnumerateArray().Select(a => a.GetString()).SingleOrDefault() ?? m.GetProperty("chatUser").GetString(),
                m.GetProperty("openConversationId").GetString(),
                m.GetProperty("conversationType").GetString())).Order());
        var refusal = Assert.Single(replies, m => m.GetProperty("kind").GetString() == "OtoMessage");
        Assert.Equal(["wangwu"], refusal.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()));
        Assert.DoesNotContain(replies, m => m.GetProperty("kind").GetString() == "GroupMessage");
    }

    [Fact]
    public async Task APersonsMessageLimit_CountsTheirMessagesInEveryGroupAndChatTogether_OneToldPrivately()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        await using var world = await DingTalkWorld.StartAsync(clientTime: clock, clientSettings: new() { ["ScaleControl:DingTalk:ChatMessagesPerMinute"] = "2" });
        var handler = world.ClientService<ChatMessageHandler>();

        // A script sending to every group the robot is in gets no more than one typing into one group.
        await handler.HandleAsync(Message("lisi", DingTalkSandboxOptions.ShopGroup), CancellationToken.None);
        await handler.HandleAsync(Message("lisi", DingTalkSandboxOptions.FeedGroup), CancellationToken.None);
        await handler.HandleAsync(Message("lisi", DingTalkSandboxOptions.GeneralGroup), CancellationToken.None);
        await handler.HandleAsync(Message("lisi", null), CancellationToken.None);
        await handler.HandleAsync(Message("zhangsan", DingTalkSandboxOptions.ShopGroup), CancellationToken.None);

        Assert.Equal([("lisi", DingTalkSandboxOptions.ShopGroup), ("lisi", DingTalkSandboxOptions.FeedGroup), ("zhangsan", DingTalkSandboxOptions.ShopGroup)],
            world.Commands.Requests.Select(r => (r.Sender, r.Conversation)));
        var messages = (await world.Script.GetFromJsonAsync<JsonElement[]>("messages"))!;
        var told = Assert.Single(messages, m => m.GetProperty("kind").GetString() == "OtoMessage");
        Assert.Equal(["lisi"], told.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("Too many messages: ScaleControl reads at most 2 of yours a minute.", told.GetProperty("text").GetString(), StringComparison.Ordinal);
        // Without a session webhook in these pushes the answers went as robot messages: into the two groups read, none into the third.
        Assert.Equal([DingTalkSandboxOptions.FeedGroup, DingTalkSandboxOptions.ShopGroup, DingTalkSandboxOptions.ShopGroup],
            messages.Where(m => m.GetProperty("kind").GetString() == "GroupMessage").Select(m => m.GetProperty("openConversationId").GetString()).Order());
    }

    [Fact]
    public async Task ConfirmationAskedInAOneToOneChat_GoesIntoEachConfirmersOwnChat_TheSenderCannotTapIt()
    {
        await using var world = await DingTalkWorld.StartAsync();
        var cards = world.ClientService<DingTalkConfirmationCards>();

        // The two-person rule: zhangsan asked in his chat with the robot, lisi must confirm.
        await cards.SendAsync(new ConfirmationCard("ONE2ONE", "zhangsan", null, ["lisi"], "Scale shop/checkout-api", "scale 2 → 12", DateTimeOffset.UtcNow.AddMinutes(5)), CancellationToken.None);
        await cards.SendAsync(new ConfirmationCard("INSHOP", "zhangsan", DingTalkSandboxOptions.ShopGroup, ["lisi"], "Freeze shop", "freeze shop/*", DateTimeOffset.UtcNow.AddMinutes(5)), CancellationToken.None);

        var oneToOne = await world.CardAsync(DingTalkConfirmationCards.OutTrackId("ONE2ONE"));
        var space = Assert.Single(oneToOne.GetProperty("spaces").EnumerateArray());
        Assert.Equal(("IM_ROBOT", "lisi", true), (space.GetProperty("spaceType").GetString(), space.GetProperty("spaceId").GetString(), space.GetProperty("success").GetBoolean()));
        var (byAsker, _) = await world.TapAsync(DingTalkConfirmationCards.OutTrackId("ONE2ONE"), "zhangsan", "confirm");
        Assert.Equal(HttpStatusCode.Forbidden, byAsker);
        var inShop = Assert.Single((await world.CardAsync(DingTalkConfirmationCards.OutTrackId("INSHOP"))).GetProperty("spaces").EnumerateArray());
        Assert.Equal(("IM_GROUP", DingTalkSandboxOptions.ShopGroup), (inShop.GetProperty("spaceType").GetString(), inShop.GetProperty("spaceId").GetString()));
        Assert.Equal(["lisi"], inShop.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
    }

    private string Message(string sender, string? group)
    {
        var message = new JsonObject
        {
            ["msgId"] = $"msgGroups{++_sent:D4}==",
            ["conversationId"] = group ?? "cidOneToOneWithLisi==",
            ["conversationType"] = group is null ? "1" : "2",
            ["senderStaffId"] = sender,
            ["senderNick"] = sender,
            ["robotCode"] = DingTalkWorld.AppKey,
            ["msgtype"] = "text",
            ["text"] = new JsonObject { ["content"] = " status" },
        };
        return message.ToJsonString();
    }

    private static async Task TypeAsync(DingTalkWorld world, string from, string? conversationId, string text)
    {
        var response = await world.Script.PostAsJsonAsync("messages", new { from, conversationId, text });
        response.EnsureSuccessStatusCode();
        Assert.Equal("Acked", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }

    private static async Task<JsonElement[]> WaitForAsync(DingTalkWorld world, Func<JsonElement[], bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: the answers come in milliseconds when idle
        while (true)
        {
            var messages = (await world.Script.GetFromJsonAsync<JsonElement[]>("messages"))!;
            if (done(messages) || DateTime.UtcNow > deadline)
            {
                return messages;
            }

            await Task.Delay(25);
        }
    }
}
