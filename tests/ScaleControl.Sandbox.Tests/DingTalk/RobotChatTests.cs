using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>People typing to the robot: Stream delivery of robot messages, the @-mention rule, retries and session webhooks.</summary>
public sealed class RobotChatTests
{
    private const string BotTopic = "/v1.0/im/bot/messages/get";

    [Fact]
    public async Task OfficialStreamSdk_RobotListenerGetsGroupMention_AndRepliesThroughSessionWebhook()
    {
        await using var host = await EmulatorHost.StartAsync(EmulatorHost.ForOutOfProcessClient());
        await using var node = NodeScript.Start("stream-robot.mjs", host.BaseUrl.ToString(), host.App.AppKey, host.App.AppSecret);
        node.WaitFor("connected");
        await host.WaitForRobotListenerAsync();

        var push = await TypeAsync(host, "zhangsan", host.Group.OpenConversationId, "@ScaleControl status");
        var received = node.WaitFor("message");
        var replied = node.WaitFor("replied");
        var message = received.GetProperty("message");
        var replies = await WaitForAsync(host, "SessionReply");

        Assert.Equal("Acked", (await PushAsync(host, push.GetProperty("msgId").GetString()!)).GetProperty("status").GetString());
        Assert.Equal(BotTopic, received.GetProperty("topic").GetString());
        Assert.NotEqual(host.App.AppKey, received.GetProperty("appId").GetString());
        Assert.Equal(host.Group.OpenConversationId, message.GetProperty("conversationId").GetString());
        Assert.Equal("2", message.GetProperty("conversationType").GetString());
        Assert.Equal("zhangsan", message.GetProperty("senderStaffId").GetString());
        Assert.StartsWith("$:LWCP_v1:$", message.GetProperty("senderId").GetString());
        Assert.Equal(message.GetProperty("chatbotUserId").GetString(), message.GetProperty("atUsers")[0].GetProperty("dingtalkId").GetString());
        Assert.Equal(host.App.RobotCode, message.GetProperty("robotCode").GetString());
        Assert.Equal(host.App.CorpId, message.GetProperty("chatbotCorpId").GetString());
        Assert.Equal(host.Group.Name, message.GetProperty("conversationTitle").GetString());
        Assert.True(message.GetProperty("isInAtList").GetBoolean());
        Assert.Equal(" status", message.GetProperty("text").GetProperty("content").GetString());
        Assert.Equal("text", message.GetProperty("msgtype").GetString());
        Assert.Equal(90 * 60 * 1000, message.GetProperty("sessionWebhookExpiredTime").GetInt64() - message.GetProperty("createAt").GetInt64());
        Assert.Equal(0, replied.GetProperty("body").GetProperty("errcode").GetInt32());
        var reply = Assert.Single(replies);
        Assert.Equal(host.Group.OpenConversationId, reply.GetProperty("openConversationId").GetString());
        Assert.Equal("**pong** status", reply.GetProperty("text").GetString());
        Assert.Equal("zhangsan", reply.GetProperty("atUserIds")[0].GetString());
        var connections = await host.Http.GetFromJsonAsync<JsonElement>("stream/connections");
        Assert.All(connections.EnumerateArray(), c => Assert.Empty(c.GetProperty("violations").EnumerateArray()));
    }

    [Fact]
    public async Task GroupMessageWithoutMention_IsNotDelivered_OneToOneMessageIs()
    {
        await using var host = await EmulatorHost.StartAsync();
        await using var client = await RawStreamClient.ConnectAsync(host, answerPings: true, BotTopic);
        await host.WaitForRobotListenerAsync();

        var unmentioned = await TypeAsync(host, "lisi", host.Group.OpenConversationId, "status please");
        var oneToOneTask = TypeAsync(host, "lisi", null, "whoami");
        var frame = await client.NextFrameAsync("CALLBACK");
        await client.AckAsync(frame, new { response = (object?)null });
        var oneToOne = await oneToOneTask;
        using var data = JsonDocument.Parse(frame.GetProperty("data").GetString()!);
        var message = data.RootElement;

        Assert.Equal("NotMentioned", unmentioned.GetProperty("status").GetString());
        Assert.Equal("Acked", oneToOne.GetProperty("status").GetString());
        Assert.Equal("1", message.GetProperty("conversationType").GetString());
        Assert.Equal("whoami", message.GetProperty("text").GetProperty("content").GetString());
        Assert.False(message.TryGetProperty("conversationTitle", out _));
        Assert.StartsWith("cid", message.GetProperty("conversationId").GetString());
        Assert.False(client.TryTakeFrame(out _), "the unmentioned group message must not be pushed");
    }

    [Fact]
    public async Task UnacknowledgedPush_IsPushedAgainWithTheSameMessageId()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.CallbackTimeout = Patience.Of(1); // the second push's ACK must make it in time on a starved machine too
        options.RobotMessageRedeliveryInterval = TimeSpan.FromMilliseconds(200);
        await using var host = await EmulatorHost.StartAsync(options);
        await using var client = await RawStreamClient.ConnectAsync(host, answerPings: true, BotTopic);
        await host.WaitForRobotListenerAsync();

        var push = await TypeAsync(host, "zhangsan", host.Group.OpenConversationId, "@ScaleControl help");
        var first = await client.NextFrameAsync("CALLBACK");
        var second = await client.NextFrameAsync("CALLBACK");
        await client.AckAsync(second, new { response = (object?)null });
        var settled = await WaitForPushAsync(host, push.GetProperty("msgId").GetString()!, "Acked");

        Assert.Equal("NotAcked", push.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("headers").GetProperty("messageId").GetString(), second.GetProperty("headers").GetProperty("messageId").GetString());
        Assert.Equal(first.GetProperty("data").GetString(), second.GetProperty("data").GetString());
        Assert.Equal(2, settled.GetProperty("pushes").GetInt32());
    }

    [Fact]
    public async Task SessionWebhook_UnknownOrExpiredSession_Answers300001()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await EmulatorHost.StartAsync(time: time);
        await using var client = await RawStreamClient.ConnectAsync(host, answerPings: true, BotTopic);
        await host.WaitForRobotListenerAsync();
        var pushTask = TypeAsync(host, "wangwu", null, "help");
        var frame = await client.NextFrameAsync("CALLBACK");
        await client.AckAsync(frame, new { response = (object?)null });
        await pushTask;
        var webhook = JsonDocument.Parse(frame.GetProperty("data").GetString()!).RootElement.GetProperty("sessionWebhook").GetString()!;
        var text = new { msgtype = "text", text = new { content = "hello" } };

        var live = await PostAsync(webhook, text);
        var unknown = await PostAsync(webhook.Replace("session=", "session=0", StringComparison.Ordinal), text);
        time.Advance(TimeSpan.FromMinutes(91));
        var expired = await PostAsync(webhook, text);

        Assert.Equal(0, live.GetProperty("errcode").GetInt32());
        Assert.Equal(300001, unknown.GetProperty("errcode").GetInt32());
        Assert.Equal(300001, expired.GetProperty("errcode").GetInt32());
        var reply = Assert.Single(await WaitForAsync(host, "SessionReply"));
        Assert.Equal("wangwu", reply.GetProperty("chatUser").GetString());
        Assert.Equal("1", reply.GetProperty("conversationType").GetString());
    }

    [Fact]
    public async Task ScriptRoute_RefusesUnknownSenderAndNonMember()
    {
        await using var host = await EmulatorHost.StartAsync();

        var unknown = await host.Http.PostAsJsonAsync("messages", new { from = "nobody", conversationId = host.Group.OpenConversationId, text = "@ScaleControl status" });
        var noGroup = await host.Http.PostAsJsonAsync("messages", new { from = "zhangsan", conversationId = "cidNoSuchGroup==", text = "@ScaleControl status" });
        var empty = await host.Http.PostAsJsonAsync("messages", new { from = "zhangsan", text = "" });

        Assert.Equal(400, (int)unknown.StatusCode);
        Assert.Contains("from", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(400, (int)noGroup.StatusCode);
        Assert.Equal(400, (int)empty.StatusCode);
    }

    private static async Task<JsonElement> TypeAsync(EmulatorHost host, string from, string? conversationId, string text)
    {
        var response = await host.Http.PostAsJsonAsync("messages", new { from, conversationId, text });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> PostAsync(string url, object body)
    {
        using var http = new HttpClient();
        var response = await http.PostAsJsonAsync(url, body);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> PushAsync(EmulatorHost host, string msgId) =>
        (await host.Http.GetFromJsonAsync<JsonElement>("chat/pushes")).EnumerateArray().Single(p => p.GetProperty("msgId").GetString() == msgId);

    private static async Task<JsonElement> WaitForPushAsync(EmulatorHost host, string msgId, string status)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience.Of(5))
        {
            var push = await PushAsync(host, msgId);
            if (push.GetProperty("status").GetString() == status)
            {
                return push;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"push {msgId} never reached {status}");
    }

    private static async Task<List<JsonElement>> WaitForAsync(EmulatorHost host, string kind)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience.Of(5))
        {
            var messages = (await host.Http.GetFromJsonAsync<JsonElement>($"messages?kind={kind}")).EnumerateArray().ToList();
            if (messages.Count > 0)
            {
                return messages;
            }

            await Task.Delay(50);
        }

        return [];
    }
}
