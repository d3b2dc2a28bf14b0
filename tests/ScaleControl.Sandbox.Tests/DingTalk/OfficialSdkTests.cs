using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>Fidelity: DingTalk's own SDKs from npm, unmodified, talk to the emulator.</summary>
public sealed class OfficialSdkTests
{
    [Fact]
    public async Task OpenApiSdk_TokenCreateAndDeliverUpdate_WorkAndDuplicateIsCardAlreadyExist()
    {
        await using var host = await EmulatorHost.StartAsync(prefix: ""); // the SDK takes a bare host:port endpoint
        await using var node = NodeScript.Start("openapi-card.cjs",
            $"{host.BaseUrl.Host}:{host.BaseUrl.Port}", host.App.AppKey, host.App.AppSecret, host.Group.OpenConversationId,
            host.App.RobotCode, SandboxCardTemplate.ScaleApprovalId, "sdk-card-1");

        var token = node.WaitFor("token");
        var created = node.WaitFor("created");
        var updated = node.WaitFor("updated");
        var duplicate = node.WaitFor("duplicate");
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/sdk-card-1");

        Assert.Equal(7200, token.GetProperty("expireIn").GetInt32());
        Assert.True(created.GetProperty("body").GetProperty("success").GetBoolean());
        Assert.True(created.GetProperty("body").GetProperty("result").GetProperty("deliverResults")[0].GetProperty("success").GetBoolean());
        Assert.True(updated.GetProperty("body").GetProperty("success").GetBoolean());
        Assert.Equal("param.cardAlreadyExist", duplicate.GetProperty("code").GetString());
        Assert.Equal(400, duplicate.GetProperty("statusCode").GetInt32());
        Assert.Equal("approved", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Equal("60", card.GetProperty("cardData").GetProperty("replicasTo").GetString());
    }

    [Fact]
    public async Task OpenApiSdk_RobotGroupOtoDingAndRecall_ParseAsTheSdkModelsSay_ErrorsCarryTheirCodes()
    {
        await using var host = await EmulatorHost.StartAsync(prefix: "");
        await using var node = NodeScript.Start("openapi-robot.cjs",
            $"{host.BaseUrl.Host}:{host.BaseUrl.Port}", host.App.AppKey, host.App.AppSecret, host.Group.OpenConversationId, host.App.RobotCode);

        var group = node.WaitFor("group");
        var oto = node.WaitFor("oto");
        var ding = node.WaitFor("ding");
        var recall = node.WaitFor("recall");
        var badMsgKey = node.WaitFor("badMsgKey");
        var badToken = node.WaitFor("badToken");
        var messages = await host.Http.GetFromJsonAsync<JsonElement>("messages");

        Assert.False(string.IsNullOrEmpty(group.GetProperty("body").GetProperty("processQueryKey").GetString()));
        Assert.Equal(["nobody-here"], oto.GetProperty("body").GetProperty("invalidStaffIdList").EnumerateArray().Select(u => u.GetString()));
        Assert.Empty(oto.GetProperty("body").GetProperty("flowControlledStaffIdList").EnumerateArray());
        var openDingId = ding.GetProperty("body").GetProperty("openDingId").GetString();
        Assert.Equal(openDingId, recall.GetProperty("body").GetProperty("openDingId").GetString());
        Assert.Equal("invalidParameter.msgKey.invalid", badMsgKey.GetProperty("code").GetString());
        Assert.Equal(400, badMsgKey.GetProperty("statusCode").GetInt32());
        Assert.Equal("InvalidAuthentication", badToken.GetProperty("code").GetString());
        var kinds = messages.EnumerateArray().Select(m => m.GetProperty("kind").GetString()).ToList();
        Assert.Equal(1, kinds.Count(k => k == "GroupMessage"));
        Assert.Equal(1, kinds.Count(k => k == "OtoMessage"));
        Assert.Equal(1, kinds.Count(k => k == "Ding"));
    }

    [Fact]
    public async Task StreamSdk_ReceivesCardCallbackAcksAndReconnectsAfterDisconnect()
    {
        var options = EmulatorHost.ForOutOfProcessClient();
        options.DisconnectGrace = TimeSpan.FromSeconds(1);
        await using var host = await EmulatorHost.StartAsync(options);
        await using var node = NodeScript.Start("stream-card.mjs", host.BaseUrl.ToString(), host.App.AppKey, host.App.AppSecret);
        node.WaitFor("connected");
        var first = await OpenConnectionAsync(host, except: null, node);
        await host.CreateCardAsync("sdk-stream-1");
        await host.CreateCardAsync("sdk-stream-2");

        var (_, tapped) = await host.TapAsync("sdk-stream-1", "zhangsan", "approve");
        var callback = node.WaitFor("callback");
        var ping = await host.Http.PostAsync($"stream/connections/{first.GetProperty("connectionId").GetString()}/ping", null);
        await host.Http.PostAsync($"stream/connections/{first.GetProperty("connectionId").GetString()}/disconnect", null);
        var second = await OpenConnectionAsync(host, except: first.GetProperty("connectionId").GetString(), node);
        var (_, afterReconnect) = await host.TapAsync("sdk-stream-2", "lisi", "approve");

        Assert.Equal("Updated", tapped.GetProperty("tap").GetProperty("status").GetString());
        Assert.Equal("zhangsan", tapped.GetProperty("card").GetProperty("cardData").GetProperty("decidedBy").GetString());
        Assert.Equal("sdk-stream-1", callback.GetProperty("outTrackId").GetString());
        Assert.Equal("approve", callback.GetProperty("actionIds")[0].GetString());
        Assert.True((await ping.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("echoed").GetBoolean());
        Assert.Equal("fidelity-test", second.GetProperty("ua").GetString());
        Assert.Equal("Updated", afterReconnect.GetProperty("tap").GetProperty("status").GetString());
        var connections = await host.Http.GetFromJsonAsync<JsonElement>("stream/connections");
        Assert.All(connections.EnumerateArray(), c => Assert.Empty(c.GetProperty("violations").EnumerateArray()));
    }

    [Fact]
    public async Task RobotSender_SignedMessageAccepted_WrongSecretRejected()
    {
        await using var host = await EmulatorHost.StartAsync();
        var robot = host.Options.WebhookRobots[0];

        await using var good = NodeScript.Start("webhook.cjs", $"{host.BaseUrl}/robot/send", robot.AccessToken, robot.Secret!, "ScaleControl: checkout-api scaled 20 → 60");
        var accepted = good.WaitFor("sent");
        await using var bad = NodeScript.Start("webhook.cjs", $"{host.BaseUrl}/robot/send", robot.AccessToken, "SECnot-the-secret", "ScaleControl: forged");
        var rejected = bad.WaitFor("sent");
        var messages = await host.Http.GetFromJsonAsync<JsonElement>("messages?kind=Webhook");

        Assert.Equal(0, accepted.GetProperty("body").GetProperty("errcode").GetInt32());
        Assert.Equal(200, rejected.GetProperty("status").GetInt32());
        Assert.Equal(310000, rejected.GetProperty("body").GetProperty("errcode").GetInt32());
        Assert.Equal("sign not match", rejected.GetProperty("body").GetProperty("errmsg").GetString());
        Assert.Equal("ScaleControl: checkout-api scaled 20 → 60", Assert.Single(messages.EnumerateArray()).GetProperty("text").GetString());
    }

    /// <summary>Waits until an open, not-disconnecting connection other than <paramref name="except"/> exists.</summary>
    private static async Task<JsonElement> OpenConnectionAsync(EmulatorHost host, string? except, NodeScript node)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < Patience.Of(15))
        {
            var connections = await host.Http.GetFromJsonAsync<JsonElement>("stream/connections");
            foreach (var c in connections.EnumerateArray())
            {
                if (c.GetProperty("isOpen").GetBoolean() && !c.GetProperty("disconnecting").GetBoolean() && c.GetProperty("connectionId").GetString() != except)
                {
                    return c;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail("the SDK did not (re)connect. Output:\n" + node.Output);
        return default;
    }
}
