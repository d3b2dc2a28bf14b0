using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Commands;
using ScaleControl.DingTalk.Chat;
using ScaleControl.DingTalk.Tests.Support;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Sandbox.DingTalk.Chat;

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
    public async Task AnotherPersonsMention_ShownByDingTalkAsTheirNameWithSpaces_IsNotReadAsPartOfTheCommand()
    {
        // DingTalk puts "@李四 Li Si" into text.content for a mention of lisi, and lists lisi in atUsers.
        await using var world = await DingTalkWorld.StartAsync(clientSettings: new() { ["ScaleControl:DingTalk:UserNames:lisi"] = "李四 Li Si" });
        await world.WaitForStreamConnectionsAsync(2, c => c.GetProperty("subscriptions").EnumerateArray().Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get"));

        var push = await TypeAsync(world, "zhangsan", DingTalkWorld.Group, "@ScaleControl @lisi reject shop/checkout-api @lisi too early");
        await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        var pushed = (await world.Script.GetFromJsonAsync<JsonElement[]>("chat/pushes"))!.Single(p => p.GetProperty("msgId").GetString() == push.GetProperty("msgId").GetString());
        using var data = JsonDocument.Parse(pushed.GetProperty("data").GetString()!);
        Assert.Equal(" @李四 Li Si reject shop/checkout-api @李四 Li Si too early", data.RootElement.GetProperty("text").GetProperty("content").GetString());
        Assert.Equal("lisi", data.RootElement.GetProperty("atUsers")[1].GetProperty("staffId").GetString());
        Assert.Equal(new RejectCommand("shop", "checkout-api", "too early"), Assert.Single(world.Commands.Requests).Command);
    }

    [Fact]
    public async Task Answer_CarryingAServiceTimeInUtc_ShowsItInTheGroupsZone()
    {
        // The chat answer quotes the override service's line ("frozen until …" in UTC, as the Event and the history keep it).
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
        await using var world = await DingTalkWorld.StartAsync(clientTime: clock, clientSettings: new() { ["ScaleControl:DingTalk:TimeZone"] = "Asia/Shanghai" });
        world.Commands.Reply = CommandReply.Refused("Freezing refused: policy is frozen until 2026-12-06 12:18:54Z (db migration)");
        await world.WaitForStreamConnectionsAsync(2);

        await TypeAsync(world, "zhangsan", DingTalkWorld.Group, "@ScaleControl freeze shop/checkout-api for 1h again");
        var refusal = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        Assert.Equal("Freezing refused: policy is frozen until 20:18:54 UTC+08:00 (db migration)", refusal.GetProperty("text").GetString());
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
    public async Task TwoCommandsPastedIntoOneMessage_PrivateRefusal_NoneRuns()
    {
        // Before, the first ran with the second as its reason: shop/b stayed pending while the sender believed it rejected.
        await using var world = await DingTalkWorld.StartAsync();
        await world.WaitForStreamConnectionsAsync(2);

        await TypeAsync(world, "zhangsan", DingTalkWorld.Group, "@ScaleControl reject shop/checkout-api too early\nreject shop/search-api");
        var refusal = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        Assert.StartsWith("one command per message: line 2 (`reject shop/search-api`)", refusal.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(world.Commands.Requests);
    }

    [Fact]
    public async Task HugeDuration_InAGroup_GetsAPrivateAnswer_NotSilence()
    {
        // Live: "scale … for 100000d100000d…" (840 characters) overflowed the parser; the message was ACKed and never answered.
        await using var world = await DingTalkWorld.StartAsync();
        await world.WaitForStreamConnectionsAsync(2);

        await TypeAsync(world, "zhangsan", DingTalkWorld.Group, $"@ScaleControl scale shop/checkout-api 2->6 for {string.Concat(Enumerable.Repeat("100000d", 120))} storm");
        var refusal = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        Assert.Equal("zhangsan", Assert.Single(refusal.GetProperty("receivers").EnumerateArray()).GetString());
        Assert.StartsWith("duration `100000d", refusal.GetProperty("text").GetString(), StringComparison.Ordinal);
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

    [Fact]
    public async Task MessageWithoutStaffId_IsRefusedInTheConversationItCameFrom_NotSentToNobody()
    {
        // Someone outside the organisation has no senderStaffId: a one-to-one message cannot reach them (DingTalk lists
        // "" as an invalid staff id and answers 200), so the refusal goes back through the message's session webhook.
        await using var world = await DingTalkWorld.StartAsync();
        var session = world.EmulatorService<ChatSessionStore>().Open(
            world.EmulatorService<DingTalkSandboxOptions>().Apps[0], "outsider", world.EmulatorService<DingTalkSandboxOptions>().Groups[0], DateTimeOffset.UtcNow);
        var data = new JsonObject
        {
            ["msgId"] = "msgOutsider0001==",
            ["conversationId"] = DingTalkWorld.Group,
            ["conversationType"] = "2",
            ["senderNick"] = "Guest",
            ["senderId"] = "$:LWCP_v1:$guest",
            ["robotCode"] = DingTalkWorld.AppKey,
            ["msgtype"] = "text",
            ["text"] = new JsonObject { ["content"] = " scale shop/checkout-api 2->6 for 30m" },
            ["sessionWebhook"] = world.EmulatorUrl + "/sandbox/dingtalk/robot/sendBySession?session=" + session.Id,
            ["sessionWebhookExpiredTime"] = session.ExpiresAt.ToUnixTimeMilliseconds(),
        }.ToJsonString();

        await world.ClientService<ChatMessageHandler>().HandleAsync(data, CancellationToken.None);
        var reply = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "SessionReply");

        Assert.Empty(world.Commands.Requests);
        Assert.Contains("cannot tell who you are", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(reply.GetProperty("atUserIds").EnumerateArray());
        var messages = await world.Script.GetFromJsonAsync<JsonElement[]>("messages");
        Assert.DoesNotContain(messages!, m => m.GetProperty("kind").GetString() == "OtoMessage");
    }

    /// <summary>
    /// In a cross-organisation group a member of another organisation carries their own organisation's staff id, which
    /// may read like one of ours ("zhangsan", an operator here): a message whose senderCorpId is not the robot's is
    /// refused like one without a staff id (answered in its conversation, not privately to our zhangsan), and no command runs.
    /// </summary>
    [Fact]
    public async Task MessageFromAnotherOrganisation_WithAStaffIdLikeOurs_IsRefused_NoCommandRuns()
    {
        await using var world = await DingTalkWorld.StartAsync();
        var app = world.EmulatorService<DingTalkSandboxOptions>().Apps[0];
        var session = world.EmulatorService<ChatSessionStore>().Open(app, "zhangsan", world.EmulatorService<DingTalkSandboxOptions>().Groups[0], DateTimeOffset.UtcNow);
        var data = new JsonObject
        {
            ["msgId"] = "msgOtherCorp0001==",
            ["conversationId"] = DingTalkWorld.Group,
            ["conversationType"] = "2",
            ["senderStaffId"] = "zhangsan",
            ["senderNick"] = "Zhang San (another company)",
            ["senderId"] = "$:LWCP_v1:$othercorp",
            ["senderCorpId"] = "dingothercorp0001",
            ["chatbotCorpId"] = app.CorpId,
            ["robotCode"] = DingTalkWorld.AppKey,
            ["msgtype"] = "text",
            ["text"] = new JsonObject { ["content"] = " scale shop/checkout-api 2->6 for 30m" },
            ["sessionWebhook"] = world.EmulatorUrl + "/sandbox/dingtalk/robot/sendBySession?session=" + session.Id,
            ["sessionWebhookExpiredTime"] = session.ExpiresAt.ToUnixTimeMilliseconds(),
        }.ToJsonString();

        await world.ClientService<ChatMessageHandler>().HandleAsync(data, CancellationToken.None);
        var reply = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "SessionReply");

        Assert.Empty(world.Commands.Requests);
        Assert.Contains("only members of this organisation can give commands", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Empty(reply.GetProperty("atUserIds").EnumerateArray());
        var messages = await world.Script.GetFromJsonAsync<JsonElement[]>("messages");
        Assert.DoesNotContain(messages!, m => m.GetProperty("kind").GetString() == "OtoMessage");
    }

    [Fact]
    public async Task PrivateAnswerDingTalkFlowControlled_IsLoggedAsReachingNobody_NeverPostedToTheGroup()
    {
        var logs = new CapturingLoggerProvider();
        await using var world = await DingTalkWorld.StartAsync(clientServices: s => s.AddSingleton<ILoggerProvider>(logs));
        await world.WaitForStreamConnectionsAsync(2);
        await world.Script.PostAsJsonAsync("faults", new { api = "/v1.0/robot/oToMessages/batchSend", kind = "FlowControl", userIds = new[] { "wangwu" } });

        await TypeAsync(world, "wangwu", DingTalkWorld.Group, "@ScaleControl scale shop/checkout-api 2->6 for 30m gala");
        var sent = await WaitForAsync(world, m => m.GetProperty("kind").GetString() == "OtoMessage");

        Assert.Empty(sent.GetProperty("receivers").EnumerateArray());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!logs.Messages.Any(m => m.Contains("reached nobody", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
        }

        Assert.Contains(logs.Messages, m => m.Contains("reached nobody: DingTalk flow-controlled the message to wangwu", StringComparison.Ordinal));
        var messages = await world.Script.GetFromJsonAsync<JsonElement[]>("messages");
        Assert.DoesNotContain(messages!, m => m.GetProperty("kind").GetString() is "SessionReply" or "GroupMessage");
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

    private sealed class CapturingLoggerProvider : ILoggerProvider, ILogger
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _messages.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
