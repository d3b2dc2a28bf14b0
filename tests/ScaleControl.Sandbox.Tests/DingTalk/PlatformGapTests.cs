using System.Net.Http.Json;
using System.Text.Json;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>Unknown paths answer as DingTalk does; card space append; robot message read status and recall.</summary>
public sealed class PlatformGapTests
{
    [Fact]
    public async Task UnknownPaths_AnswerDingTalkErrorBodies_NotProblemDetails()
    {
        await using var host = await EmulatorHost.StartAsync();

        var (apiStatus, api) = await host.CallAsync(HttpMethod.Post, "v1.0/no/such/api", new { }, await host.TokenAsync());
        var oapi = await host.Http.GetAsync("topapi/no/such/api");
        var oapiBody = await oapi.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(404, apiStatus);
        Assert.Equal("InvalidAction.NotFound", api.GetProperty("code").GetString());
        Assert.True(api.TryGetProperty("requestid", out _));
        Assert.Equal(200, (int)oapi.StatusCode);
        Assert.Equal(404, oapiBody.GetProperty("errcode").GetInt32());
    }

    [Fact]
    public async Task AppendSpaces_NeedsAnExistingCardAndASpaceModel()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.CreateCardAsync("spaces-1");

        var (ok, okBody) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances/spaces",
            new { outTrackId = "spaces-1", imRobotOpenSpaceModel = new { supportForward = false } }, token);
        var (none, noneBody) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances/spaces", new { outTrackId = "spaces-1" }, token);
        var (missing, missingBody) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances/spaces",
            new { outTrackId = "no-card", imGroupOpenSpaceModel = new { supportForward = true } }, token);

        Assert.Equal(200, ok);
        Assert.True(okBody.GetProperty("result").GetBoolean());
        Assert.Equal(400, none);
        Assert.Equal("param.openSpaceModelInvalid", noneBody.GetProperty("code").GetString());
        Assert.Equal(400, missing);
        Assert.Equal("param.cardNotExist", missingBody.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GroupMessage_ReadStatusAndRecall()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var (_, sent) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/send", new
        {
            msgKey = "sampleText",
            msgParam = JsonSerializer.Serialize(new { content = "hello" }),
            openConversationId = host.Group.OpenConversationId,
            robotCode = host.App.RobotCode,
        }, token);
        var key = sent.GetProperty("processQueryKey").GetString()!;
        (await host.Http.PostAsJsonAsync("messages/read", new { id = key, userId = "lisi" })).EnsureSuccessStatusCode();
        var query = new { openConversationId = host.Group.OpenConversationId, robotCode = host.App.RobotCode, processQueryKey = key };

        var (_, read) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/query", query, token);
        var (_, recalled) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/recall",
            new { openConversationId = host.Group.OpenConversationId, robotCode = host.App.RobotCode, processQueryKeys = new[] { key, "nope" } }, token);
        var (_, after) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/groupMessages/query", query, token);

        Assert.Equal("SUCCESS", read.GetProperty("sendStatus").GetString());
        Assert.Equal("lisi", Assert.Single(read.GetProperty("readUserIds").EnumerateArray()).GetString());
        Assert.Equal(key, Assert.Single(recalled.GetProperty("successResult").EnumerateArray()).GetString());
        Assert.True(recalled.GetProperty("failedResult").TryGetProperty("nope", out _));
        Assert.Equal("RECALLED", after.GetProperty("sendStatus").GetString());
    }

    [Fact]
    public async Task OneToOneMessage_ReadStatusAndBatchRecall()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var (_, sent) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/oToMessages/batchSend", new
        {
            robotCode = host.App.RobotCode, userIds = new[] { "zhangsan", "wangwu" }, msgKey = "sampleText",
            msgParam = JsonSerializer.Serialize(new { content = "hi" }),
        }, token);
        var key = sent.GetProperty("processQueryKey").GetString()!;
        (await host.Http.PostAsJsonAsync("messages/read", new { id = key, userId = "wangwu" })).EnsureSuccessStatusCode();

        var (status, read) = await host.CallAsync(HttpMethod.Get,
            $"v1.0/robot/oToMessages/readStatus?robotCode={host.App.RobotCode}&processQueryKey={Uri.EscapeDataString(key)}", null, token);
        var (_, recalled) = await host.CallAsync(HttpMethod.Post, "v1.0/robot/otoMessages/batchRecall",
            new { robotCode = host.App.RobotCode, processQueryKeys = new[] { key } }, token);

        Assert.Equal(200, status);
        var infos = read.GetProperty("messageReadInfoList").EnumerateArray().ToDictionary(i => i.GetProperty("userId").GetString()!, i => i.GetProperty("readStatus").GetString());
        Assert.Equal("UNREAD", infos["zhangsan"]);
        Assert.Equal("READ", infos["wangwu"]);
        Assert.Equal(key, Assert.Single(recalled.GetProperty("successResult").EnumerateArray()).GetString());
    }
}
