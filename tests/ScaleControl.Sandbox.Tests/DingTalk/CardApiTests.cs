using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.DingTalk;

namespace ScaleControl.Sandbox.Tests.DingTalk;

public sealed class CardApiTests
{
    [Fact]
    public async Task CreateAndDeliver_ValidGroupCard_ReturnsSuccessfulDeliverResult()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();

        var (status, body) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("ok-1"), token);

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("success").GetBoolean());
        var result = body.GetProperty("result");
        Assert.Equal("ok-1", result.GetProperty("outTrackId").GetString());
        var delivered = Assert.Single(result.GetProperty("deliverResults").EnumerateArray());
        Assert.Equal("IM_GROUP", delivered.GetProperty("spaceType").GetString());
        Assert.Equal(host.Group.OpenConversationId, delivered.GetProperty("spaceId").GetString());
        Assert.True(delivered.GetProperty("success").GetBoolean());
        Assert.False(string.IsNullOrEmpty(delivered.GetProperty("carrierId").GetString()));
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { "outTrackId=", "param.outTrackIdEmpty" },
        { "cardTemplateId=", "param.cardTemplateIdEmpty" },
        { "cardData=", "param.cardPublicDataEmpty" },
        { "openSpaceId=", "param.openSpaceIdEmpty" },
        { "cardTemplateId=nope.schema", "param.templateNotExist" },
        { "cardTemplateId=scalecontrol-draft.schema", "param.templateUnpublished" },
        { "openSpaceId=IM_GROUP.cidSandboxOnCall0001==", "param.openSpaceIdInvalid" },
        { "openSpaceId=dtv1.card//IM_CHANNEL.x", "param.openSpaceIdInvalid" },
        { "openSpaceId=dtv1.card//IM_GROUP.", "param.openSpaceIdInvalid" },
        { "openSpaceId=dtv1.card//IM_ROBOT.zhangsan", "param.openDeliverModelEmpty" },
        { "imGroupOpenDeliverModel=", "param.openDeliverModelEmpty" },
        { "cardData.cardParamMap.replicasTo=#60", "param.invalid" },
        { "cardData.cardParamMap.reason=#long", "param.invalid" },
        { "callbackType=stream", "param.invalid" },
        { "callbackType=HTTP", "param.invalid" },
        { "privateData.nobody=#{}", "param.userIdNotExist" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task CreateAndDeliver_InvalidField_Answers400WithDocumentedCode(string mutation, string code)
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var body = host.CreateAndDeliverBody("bad-1");
        Mutate(body, mutation);

        var (status, error) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);
        var cards = await host.Http.GetFromJsonAsync<JsonElement>("cards");

        Assert.Equal(400, status);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(0, cards.GetArrayLength()); // nothing half-created
    }

    [Fact]
    public async Task CreateAndDeliver_SameOutTrackIdTwice_AnswersCardAlreadyExist()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("dup-1"), token);

        var (status, error) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("dup-1"), token);

        Assert.Equal(400, status);
        Assert.Equal("param.cardAlreadyExist", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task CreateAndDeliver_LowerCaseSpaceTypeAndRobotSpace_DeliversBoth()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var body = host.CreateAndDeliverBody("multi-1");
        body["openSpaceId"] = $"dtv1.card//im_group.{host.Group.OpenConversationId};IM_ROBOT.lisi";
        body["imRobotOpenDeliverModel"] = new JsonObject { ["spaceType"] = "IM_ROBOT", ["robotCode"] = host.App.RobotCode };

        var (status, result) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);

        Assert.Equal(200, status);
        Assert.Equal(["IM_GROUP", "IM_ROBOT"], result.GetProperty("result").GetProperty("deliverResults").EnumerateArray().Select(r => r.GetProperty("spaceType").GetString()));
    }

    [Theory]
    [InlineData("cidUnknownGroup==", "dingsandboxappkey001", "does not exist")]
    [InlineData("cidSandboxOnCall0001==", "someOtherRobot", "does not belong")]
    public async Task CreateAndDeliver_SpaceThatCannotTakeTheCard_FailsInDeliverResultsWith200(string group, string robotCode, string reason)
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var body = host.CreateAndDeliverBody("space-fail");
        body["openSpaceId"] = $"dtv1.card//IM_GROUP.{group}";
        body["imGroupOpenDeliverModel"]!["robotCode"] = robotCode;

        var (status, result) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);

        Assert.Equal(200, status);
        var delivered = Assert.Single(result.GetProperty("result").GetProperty("deliverResults").EnumerateArray());
        Assert.False(delivered.GetProperty("success").GetBoolean());
        Assert.Contains(reason, delivered.GetProperty("errorMsg").GetString());
    }

    [Fact]
    public async Task CreateAndDeliver_InjectedDeliveryFailure_FailsOnlyThatSpace()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.Http.PostAsJsonAsync("faults", new { api = "/v1.0/card/instances/createAndDeliver", kind = "DeliveryFailure", spaceId = "lisi", message = "user offline" });
        var body = host.CreateAndDeliverBody("inj-1");
        body["openSpaceId"] = $"{host.GroupSpace};IM_ROBOT.lisi";
        body["imRobotOpenDeliverModel"] = new JsonObject { ["spaceType"] = "IM_ROBOT", ["robotCode"] = host.App.RobotCode };

        var (_, result) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);

        var results = result.GetProperty("result").GetProperty("deliverResults").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("success").GetBoolean());
        Assert.False(results[1].GetProperty("success").GetBoolean());
        Assert.Equal("user offline", results[1].GetProperty("errorMsg").GetString());
    }

    [Fact]
    public async Task Update_WithoutOptions_OverwritesAllPublicData()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("ow-1"), token);

        var (status, body) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances",
            new { outTrackId = "ow-1", cardData = new { cardParamMap = new { status = "approved" } } }, token);
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/ow-1");

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("result").GetBoolean());
        Assert.Equal(["status"], card.GetProperty("cardData").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, card.GetProperty("history").GetArrayLength());
        Assert.Equal("20", card.GetProperty("history")[0].GetProperty("cardData").GetProperty("replicasFrom").GetString());
    }

    [Fact]
    public async Task Update_ByKey_MergesPublicAndPrivateData()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var create = host.CreateAndDeliverBody("merge-1");
        create["privateData"] = new JsonObject { ["lisi"] = new JsonObject { ["cardParamMap"] = new JsonObject { ["a"] = "1", ["b"] = "2" } } };
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", create, token);

        await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new
        {
            outTrackId = "merge-1",
            cardData = new { cardParamMap = new { status = "approved", decidedBy = "张三" } },
            privateData = new Dictionary<string, object> { ["lisi"] = new { cardParamMap = new { b = "3" } } },
            cardUpdateOptions = new { updateCardDataByKey = true, updatePrivateDataByKey = true },
        }, token);
        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/merge-1");

        var data = card.GetProperty("cardData");
        Assert.Equal("approved", data.GetProperty("status").GetString());
        Assert.Equal("20", data.GetProperty("replicasFrom").GetString());
        Assert.Equal("张三", data.GetProperty("decidedBy").GetString());
        var lisi = card.GetProperty("privateData").GetProperty("lisi");
        Assert.Equal("1", lisi.GetProperty("a").GetString());
        Assert.Equal("3", lisi.GetProperty("b").GetString());
        Assert.Empty(card.GetProperty("buttons").EnumerateArray());
    }

    [Theory]
    [InlineData("""{"outTrackId":"missing","cardData":{"cardParamMap":{}}}""", "param.cardNotExist")]
    [InlineData("""{"cardData":{"cardParamMap":{}}}""", "param.outTrackIdEmpty")]
    [InlineData("""{"outTrackId":"exists"}""", "param.cardDataAndPrivateDataBothEmpty")]
    [InlineData("""{"outTrackId":"exists","privateData":{"ghost":{"cardParamMap":{}}}}""", "param.userIdNotExist")]
    public async Task Update_Invalid_Answers400(string json, string code)
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("exists"), token);

        var (status, error) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", JsonNode.Parse(json)!, token);

        Assert.Equal(400, status);
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task CreateThenDeliver_TwoStep_DeliversExistingCard()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var create = host.CreateAndDeliverBody("two-step");
        create.Remove("openSpaceId");

        var (createStatus, created) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances", create, token);
        var (deliverStatus, delivered) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/deliver", new
        {
            outTrackId = "two-step",
            openSpaceId = host.GroupSpace,
            imGroupOpenDeliverModel = new { robotCode = host.App.RobotCode },
        }, token);

        Assert.Equal(200, createStatus);
        Assert.Equal("two-step", created.GetProperty("result").GetString());
        Assert.Equal(200, deliverStatus);
        Assert.True(delivered.GetProperty("result")[0].GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Cards_PendingWithHalfStep_ShowsThreeButtonsWithActionParams()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var body = host.CreateAndDeliverBody("buttons-1");
        body["cardData"] = EmulatorHost.ApprovalCardData(halfStepTo: "40");
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);

        var card = (await host.Http.GetFromJsonAsync<JsonElement>("cards"))[0];

        var buttons = card.GetProperty("buttons").EnumerateArray().ToList();
        Assert.Equal(["approve", "approve_half", "reject"], buttons.Select(b => b.GetProperty("params").GetProperty("action").GetString()));
        Assert.Equal("Approve half (→ 40)", buttons[1].GetProperty("text").GetString());
        Assert.Empty(card.GetProperty("renderWarnings").EnumerateArray());
    }

    [Fact]
    public async Task Cards_ValueNotMatchingDeclaredType_IsReportedAsRenderWarning()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        var body = host.CreateAndDeliverBody("warn-1");
        body["cardData"]!["cardParamMap"]!["replicasTo"] = "sixty";
        body["cardData"]!["cardParamMap"]!["colour"] = "red";
        await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", body, token);

        var card = await host.Http.GetFromJsonAsync<JsonElement>("cards/warn-1");

        var warnings = card.GetProperty("renderWarnings").EnumerateArray().Select(w => w.GetString()!).ToList();
        Assert.Contains(warnings, w => w.StartsWith("replicasTo: declared Number", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("colour: not a variable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task QpsLimit_MoreThanLimitPerSecond_Answers403QpsLimitForAppkeyAndApi()
    {
        var options = DingTalkSandboxOptions.CreateDefault();
        options.QpsLimitPerAppAndApi = 3;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T10:00:00Z"));
        await using var host = await EmulatorHost.StartAsync(options, time);
        var token = await host.TokenAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody($"q{i}"), token)).Status);
        }

        var (_, limited) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("q5"), token);
        time.Advance(TimeSpan.FromSeconds(1));
        var (afterStatus, _) = await host.CallAsync(HttpMethod.Post, "v1.0/card/instances/createAndDeliver", host.CreateAndDeliverBody("q6"), token);

        Assert.Equal([200, 200, 200, 403], statuses);
        Assert.Equal("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", limited.GetProperty("code").GetString());
        Assert.Equal(200, afterStatus);
    }

    [Fact]
    public async Task Faults_SystemBusyOnce_Answers500ThenRecovers()
    {
        await using var host = await EmulatorHost.StartAsync();
        var token = await host.TokenAsync();
        await host.Http.PostAsJsonAsync("faults", new { api = "/v1.0/card/instances", kind = "SystemBusy", times = 1 });

        var (first, error) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new { outTrackId = "x", cardData = new { } }, token);
        var (second, _) = await host.CallAsync(HttpMethod.Put, "v1.0/card/instances", new { outTrackId = "x", cardData = new { } }, token);

        Assert.Equal(500, first);
        Assert.Equal("system.busy", error.GetProperty("code").GetString());
        Assert.Equal(400, second); // back to normal validation: the card does not exist
    }

    /// <summary>"path=value" sets a field ("#text" = raw JSON, "#long" = a 2 KB string, empty = remove).</summary>
    private static void Mutate(JsonObject body, string mutation)
    {
        var (path, value) = (mutation[..mutation.IndexOf('=', StringComparison.Ordinal)], mutation[(mutation.IndexOf('=', StringComparison.Ordinal) + 1)..]);
        var segments = path.Split('.');
        var parent = body;
        foreach (var segment in segments[..^1])
        {
            parent = parent[segment] as JsonObject ?? (JsonObject)(parent[segment] = new JsonObject());
        }

        parent[segments[^1]] = value switch
        {
            "" => null,
            "#long" => new string('x', 2000),
            _ when value.StartsWith('#') => JsonNode.Parse(value[1..]),
            _ => value,
        };
        if (value.Length == 0)
        {
            parent.Remove(segments[^1]);
        }
    }

}
