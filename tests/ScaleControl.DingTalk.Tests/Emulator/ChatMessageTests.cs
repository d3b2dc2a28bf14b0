using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Tests.Support;

namespace ScaleControl.DingTalk.Tests.Emulator;

/// <summary>The product's Stream client hears people's messages to the robot and answers where they belong.</summary>
public sealed class ChatMessageTests
{
    [Fact]
    public async Task GroupMention_IsParsedAndAnsweredInTheGroupThroughTheSessionWebhook()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.WaitForStreamConnectionsAsync(2, c => c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get"));

        var push = await TypeAsync(world, "zhangsan", DingTalkWorld.Group, "@ScaleControl status shop/checkout-api");
        var reply = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "SessionReply");

        Assert.Equal("Acked", push.GetProperty("status").GetString());
        var request = Assert.Single(world.Commands.Requests);
        Assert.Equal(new StatusCommand("shop", "checkout-api"), request.Command);
        Assert.Equal("zhangsan", request.Sender);
        Assert.Equal(DingTalkWorld.Group, request.Conversation);
        Assert.Equal(DingTalkWorld.Group, reply.GetProperty("openConversationId").GetString());
        Assert.Equal("**shop/checkout-api** 2 replicas", reply.GetProperty("text").GetString());
        Assert.Equal("zhangsan", reply.GetProperty("atUserIds")[0].GetString());
    }

    [Fact]
    public async Task RefusalInGroup_GoesToTheSenderAlone()
    {
        await using var world = await DingTalkWorld.StartAsync();
        await world.WaitForStreamConnectionsAsync(2);

        await TypeAsync(world, "wangwu", DingTalkWorld.Group, "@ScaleControl scale shop/checkout-api 2->6 for 30m gala");
        var refusal = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        Assert.Equal("wangwu", Assert.Single(refusal.GetProperty("receivers").EnumerateArray()).GetString());
        Assert.Contains("refused for wangwu", refusal.GetProperty("text").GetString(), StringComparison.Ordinal);
        var messages = await world.Script.GetFromJsonAsync<JsonElement[]>("messages");
        Assert.DoesNotContain(messages!, m => m.GetProperty("kind").GetString() is "SessionReply" or "GroupMessage");
    }

    [Fact]
    public async Task SameMsgIdTwice_RunsOnce_AndAnExpiredSessionFallsBackToGroupMessages()
    {
        await using var world = await DingTalkWorld.StartAsync();
        var handler = world.ClientService<ChatMessageHandler>();
        var data = new JsonObject
        {
            ["msgId"] = "msgReplayed0001==",
            ["conversationId"] = DingTalkWorld.Group,
            ["conversationType"] = "2",
            ["senderStaffId"] = "lisi",
            ["senderNick"] = "Li Si",
            ["robotCode"] = DingTalkWorld.AppKey,
            ["msgtype"] = "text",
            ["text"] = new JsonObject { ["content"] = " status" },
            ["sessionWebhook"] = world.EmulatorUrl + "/sandbox/dingtalk/robot/sendBySession?session=gone",
            ["sessionWebhookExpiredTime"] = DateTimeOffset.UtcNow.AddMinutes(80).ToUnixTimeMilliseconds(),
        }.ToJsonString();

        await handler.HandleAsync(data, CancellationToken.None);
        await handler.HandleAsync(data, CancellationToken.None);
        var fallback = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "GroupMessage");

        Assert.Single(world.Commands.Requests);
        Assert.Equal(DingTalkWorld.Group, fallback.GetProperty("openConversationId").GetString());
        Assert.Equal("**shop/checkout-api** 2 replicas", fallback.GetProperty("text").GetString());
    }

    private static async Task<JsonElement> TypeAsync(DingTalkWorld world, string from, string? conversationId, string text)
    {
        var response = await world.Script.PostAsJsonAsync("messages", new { from, conversationId, text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> WaitForAsync(DingTalkWorld world, Func<JsonElement, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: the answer comes in milliseconds when idle
        while (DateTime.UtcNow < deadline)
        {
            var messages = await world.Script.GetFromJsonAsync<JsonElement[]>("messages");
            if (messages!.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException("the expected message never arrived");
    }
}
