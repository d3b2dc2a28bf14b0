using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class RobotAndDingTests
{
    [Fact]
    public async Task GroupMessage_Markdown_IsRecordedWithProcessQueryKey()
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
        {
            msgKey = "sampleMarkdown",
            msgParam = JsonSerializer.Serialize(new { title = "Scaled", text = "checkout-api now 60" }),
            openConversationId = host.Group.OpenConversationId,
            robotCode = host.App.RobotCode,
        }, await host.TokenAsync());
        var messages = await host.Http.GetFromJsonAsync<JsonElement>("messages?kind=GroupMessage");

        Assert.Equal(200, status);
        var message = Assert.Single(messages.EnumerateArray());
        Assert.Equal(body.GetProperty("processQueryKey").GetString(), message.GetProperty("id").GetString());
        Assert.Equal("checkout-api now 60", message.GetProperty("text").GetString());
    }

    public static TheoryData<string, string> InvalidGroupMessages() => new()
    {
        { """{"msgKey":"sampleMarkdown","msgParam":"{\"title\":\"t\",\"text\":\"x\"}","openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.robotCode.empty" },
        { """{"robotCode":"ghost","msgKey":"sampleMarkdown","msgParam":"{\"title\":\"t\",\"text\":\"x\"}","openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.robotCode.invalid" },
        { """{"robotCode":"dingsandboxappkey001","msgKey":"sampleMarkdown","msgParam":"{}","openConversationId":"cidNope=="}""", "invalid.openConversationId" },
        { """{"robotCode":"dingsandboxappkey001","msgKey":"sampleFancy","msgParam":"{}","openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.msgKey.invalid" },
        { """{"robotCode":"dingsandboxappkey001","msgKey":"sampleMarkdown","msgParam":"{\"title\":\"t\"}","openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.msgParam.invalid" },
        { """{"robotCode":"dingsandboxappkey001","msgKey":"sampleText","msgParam":{"content":"x"},"openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.msgParam.invalid" },
        { """{"robotCode":"dingsandboxappkey001","msgKey":"sampleText","msgParam":"not json","openConversationId":"cidSandboxOnCall0001=="}""", "invalidParameter.msgParam.invalid" },
    };

    [Theory]
    [MemberData(nameof(InvalidGroupMessages))]
    public async Task GroupMessage_Invalid_Answers400WithCode(string json, string code)
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", JsonDocument.Parse(json).RootElement, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GroupMessage_RobotNotInGroup_IsRejected()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.Groups.Add(new SandboxGroup("cidNoRobot==", "quiet", ["lisi"], []));
        await using var host = await EmulatorHost.StartAsync(options);

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
        {
            msgKey = "sampleText", msgParam = """{"content":"hi"}""", openConversationId = "cidNoRobot==", robotCode = host.App.RobotCode,
        }, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal("invalidParameter.robotCode.auth", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OtoBatch_ReportsInvalidAndFlowControlledUsers()
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.Http.PostAsJsonAsync("faults", new { api = "/v1.0/robot/oToMessages/batchSend", kind = "FlowControl", userIds = new[] { "lisi" } });

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/oToMessages/batchSend", new
        {
            robotCode = host.App.RobotCode, userIds = new[] { "zhangsan", "lisi", "ghost" }, msgKey = "sampleText", msgParam = """{"content":"hi"}""",
        }, await host.TokenAsync());

        Assert.Equal(200, status);
        Assert.Equal(["ghost"], body.GetProperty("invalidStaffIdList").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["lisi"], body.GetProperty("flowControlledStaffIdList").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task OtoBatch_MoreThan20Users_AnswersOverMax()
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/oToMessages/batchSend", new
        {
            robotCode = host.App.RobotCode, userIds = Enumerable.Range(0, 21).Select(i => $"u{i}"), msgKey = "sampleText", msgParam = """{"content":"hi"}""",
        }, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal("invalidParameter.userIds.overMax", body.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(1, 201, "ding.receivercount.limit")]
    [InlineData(2, 21, "ding.receivercount.limit")]
    [InlineData(3, 21, "ding.receivercount.limit")]
    [InlineData(4, 1, "invalidParameter.param.invalid")]
    [InlineData(1, 0, "miss.staffId")]
    public async Task Ding_InvalidRemindTypeOrReceivers_Answers400(int remindType, int receivers, string code)
    {
        await using var host = await EmulatorHost.StartAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType, receiverUserIdList = Enumerable.Repeat("zhangsan", receivers), content = "approve please",
        }, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ding_SendThenRecall_IsRecordedAndMarkedRecalled()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();

        var (status, sent) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType = 3, receiverUserIdList = new[] { "zhangsan", "lisi" }, content = "Scale approval pending", callVoice = "Standard_Female_Voice",
        }, token);
        var id = sent.GetProperty("openDingId").GetString();
        var (recallStatus, recalled) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/recall", new { robotCode = host.App.RobotCode, openDingId = id }, token);
        var (againStatus, again) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/recall", new { robotCode = host.App.RobotCode, openDingId = id }, token);
        var ding = (await host.Http.GetFromJsonAsync<JsonElement>("messages?kind=Ding"))[0];

        Assert.Equal(200, status);
        Assert.Equal(200, recallStatus);
        Assert.Equal(id, recalled.GetProperty("openDingId").GetString());
        Assert.Equal(400, againStatus);
        Assert.Equal("recall.ding.exception", again.GetProperty("code").GetString());
        Assert.Equal(3, ding.GetProperty("remindType").GetInt32());
        Assert.Equal(["zhangsan", "lisi"], ding.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()));
        Assert.NotEqual(JsonValueKind.Null, ding.GetProperty("recalledAt").ValueKind);
    }

    [Fact]
    public async Task Ding_StandardEdition_AnswersServerQuotaInsufficient()
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.Http.PostAsJsonAsync("ding/settings", new { edition = "Standard" });

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType = 1, receiverUserIdList = new[] { "zhangsan" }, content = "x",
        }, await host.TokenAsync());

        Assert.Equal(400, status);
        Assert.Equal("ding.serverquota.insufficient", body.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Ding_SmsQuotaUsedUp_FailsButInAppStillWorks()
    {
        await using var host = await EmulatorHost.StartAsync();
        await host.Http.PostAsJsonAsync("ding/settings", new { smsAndCallQuota = 1 });
        var token = await host.TokenAsync();

        var (smsStatus, sms) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType = 2, receiverUserIdList = new[] { "zhangsan", "lisi" }, content = "x",
        }, token);
        var (appStatus, _) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/ding/send", new
        {
            robotCode = host.App.RobotCode, remindType = 1, receiverUserIdList = new[] { "zhangsan", "lisi" }, content = "x",
        }, token);

        Assert.Equal(400, smsStatus);
        Assert.Equal("ding.serverquota.insufficient", sms.GetProperty("code").GetString());
        Assert.Equal(200, appStatus);
    }
}
