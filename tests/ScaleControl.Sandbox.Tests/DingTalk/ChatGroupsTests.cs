using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>
/// The emulator's several groups (the general on-call group, the shop and feed teams' groups with their own members)
/// and one-to-one chats, driven by the official DingTalk SDKs: each message carries its own conversation and session
/// webhook, the reply lands in that conversation, only members post in a group, robot messages land in the group named.
/// </summary>
public sealed class ChatGroupsTests
{
    [Fact]
    public async Task OfficialStreamSdk_MessagesFromTwoTeamGroupsAndAOneToOneChat_EachRepliedInItsOwnConversation()
    {
        await using var host = await EmulatorHost.StartAsync(EmulatorHost.ForOutOfProcessClient());
        await using var node = NodeScript.Start("stream-robot.mjs", host.BaseUrl.ToString(), host.App.AppKey, host.App.AppSecret);
        node.WaitFor("connected");
        await host.WaitForRobotListenerAsync();

        var received = new List<JsonElement>();
        foreach (var (from, conversation, text) in new[]
        {
            ("zhangsan", (string?)DingTalkSandboxOptions.ShopGroup, "@ScaleControl status shop"),
            ("wangwu", DingTalkSandboxOptions.FeedGroup, "@ScaleControl status feed"),
            ("lisi", null, "status mine"),
        })
        {
            var response = await host.Http.PostAsJsonAsync("messages", new { from, conversationId = conversation, text });
            Assert.Equal("Acked", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            received.Add(node.WaitFor("message").GetProperty("message"));
            Assert.Equal(0, node.WaitFor("replied").GetProperty("body").GetProperty("errcode").GetInt32());
        }

        var replies = (await host.Http.GetFromJsonAsync<JsonElement[]>("messages?kind=SessionReply"))!;

        Assert.Equal(
            [(DingTalkSandboxOptions.ShopGroup, "2", "Shop on-call"), (DingTalkSandboxOptions.FeedGroup, "2", "Feed on-call")],
            received.Take(2).Select(m => (m.GetProperty("conversationId").GetString(), m.GetProperty("conversationType").GetString(), m.GetProperty("conversationTitle").GetString())));
        Assert.Equal("1", received[2].GetProperty("conversationType").GetString());
        Assert.False(received[2].TryGetProperty("conversationTitle", out _));
        Assert.Equal(3, received.Select(m => m.GetProperty("sessionWebhook").GetString()).Distinct().Count());
        Assert.Equal(
            [(DingTalkSandboxOptions.ShopGroup, "**pong** status shop", "zhangsan"), (DingTalkSandboxOptions.FeedGroup, "**pong** status feed", "wangwu"), (null, "**pong** status mine", "lisi")],
            replies.Select(r => (r.GetProperty("openConversationId").GetString(), r.GetProperty("text").GetString(),
                r.GetProperty("conversationType").GetString() == "1" ? r.GetProperty("chatUser").GetString() : r.GetProperty("atUserIds")[0].GetString())));
    }

    [Fact]
    public async Task OnlyMembersPostInAGroup_AnUnknownGroupIsRefused_TheOpenApiSdksGroupMessageLandsInTheGroupNamed()
    {
        await using var host = await EmulatorHost.StartAsync(prefix: "");
        var notMember = await host.Http.PostAsJsonAsync("messages", new { from = "wangwu", conversationId = DingTalkSandboxOptions.ShopGroup, text = "@ScaleControl status" });
        var unknown = await host.Http.PostAsJsonAsync("messages", new { from = "zhangsan", conversationId = "cidNoSuchGroup==", text = "@ScaleControl status" });
        var info = await host.Http.GetFromJsonAsync<JsonElement>("info");

        await using var node = NodeScript.Start("openapi-robot.cjs",
            $"{host.BaseUrl.Host}:{host.BaseUrl.Port}", host.App.AppKey, host.App.AppSecret, DingTalkSandboxOptions.ShopGroup, host.App.RobotCode);
        node.WaitFor("group");
        var groupMessage = Assert.Single((await host.Http.GetFromJsonAsync<JsonElement[]>("messages?kind=GroupMessage"))!);

        Assert.Equal(403, (int)notMember.StatusCode);
        Assert.Equal("wangwu is not a member of Shop on-call", (await notMember.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(400, (int)unknown.StatusCode);
        Assert.Empty((await host.Http.GetFromJsonAsync<JsonElement[]>("messages?kind=UserMessage"))!);
        Assert.Equal(
            [("cidSandboxOnCall0001==", "zhangsan,lisi,wangwu"), (DingTalkSandboxOptions.ShopGroup, "zhangsan,lisi"), (DingTalkSandboxOptions.FeedGroup, "lisi,wangwu")],
            info.GetProperty("groups").EnumerateArray().Select(g => (
                g.GetProperty("openConversationId").GetString(), string.Join(',', g.GetProperty("members").EnumerateArray().Select(m => m.GetString())))));
        Assert.Equal(DingTalkSandboxOptions.ShopGroup, groupMessage.GetProperty("openConversationId").GetString());
    }
}
