using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// People type to the robot in the emulated DingTalk group (the emulator's script route, as the phone page does) and
/// the product (cluster mode, the chart's RBAC) runs the commands with each person's own rights; real kubectl checks the cluster.
/// </summary>
public sealed class ChatCommandTests
{
    private const string Group = "cidSandboxOnCall0001==";
    private const string Viewer = "sandbox-viewer";

    [Fact]
    public async Task Scale_ByOperatorPinsAndAnswersGroup_ViewerRefusedPrivately_StaleRefused_StatusFast()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings());
        await WaitForRobotListenerAsync(server);
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        // wangwu is in the group but a viewer: a private refusal, nothing changes, the group hears nothing.
        await TypeAsync(server, "wangwu", Group, $"@ScaleControl scale shop/checkout-api {before}->6 for 30m gala");
        var refusal = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("wangwu"), "wangwu's private refusal");
        Assert.Contains("operator", refusal.Text, StringComparison.Ordinal);
        Assert.Equal(before, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));
        Assert.DoesNotContain(await MessagesAsync(server), m => m.Kind == "SessionReply");

        // zhangsan (operator in shop) pins it at 6 for 30 minutes: kubectl sees 6, the group gets the answer.
        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl scale shop/checkout-api {before}->6 for 30m gala");
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == 6, "kubectl shows 6 replicas");
        var answer = await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.OpenConversationId == Group, "the group's answer");
        Assert.Contains("6", answer.Text, StringComparison.Ordinal);
        Assert.Contains("zhangsan", answer.AtUserIds);
        var policy = await server.GetJson("/api/v1/policies/shop/checkout-api", Viewer);
        Assert.Equal(6, policy.GetProperty("spec").GetProperty("pin").GetProperty("replicas").GetInt32());
        var history = await server.GetJson("/api/v1/history?namespace=shop", Viewer);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Pinned"
            && h.GetProperty("by").GetString() == "zhangsan" && h.GetProperty("channel").GetString() == "DingTalkChat");
        var describe = (await server.Kubectl.RunAsync("describe", "deployment", "checkout-api", "-n", "shop")).StdOut;
        Assert.Contains("zhangsan via dingtalk-chat", describe, StringComparison.Ordinal);

        // The same message again (its `from` is stale now): refused privately, the workload stays at 6.
        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl scale shop/checkout-api {before}->9 for 30m again");
        var stale = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("zhangsan") && m.Text.Contains("stale", StringComparison.Ordinal), "zhangsan's stale refusal");
        Assert.Contains("runs **6** now", stale.Text, StringComparison.Ordinal);
        Assert.Equal(6, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));

        // status answers in the group within DingTalk's 2 seconds (scaled: a wall-clock bound on a starved CI runner).
        var replies = (await MessagesAsync(server)).Count(m => m.Kind == "SessionReply");
        var clock = Stopwatch.StartNew();
        await TypeAsync(server, "wangwu", Group, "@ScaleControl status shop/checkout-api");
        var status = await WaitForMessageAsync(server, m => m.Kind == "SessionReply", "the status answer", skip: replies);
        clock.Stop();
        Assert.True(clock.Elapsed < Patience.Of(2), $"status answered after {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.Contains("shop/checkout-api", status.Text, StringComparison.Ordinal);
        Assert.Contains("📌 6", status.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_DidYouMean_AndRiskyScaleWaitsForTheSendersConfirmation()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings());
        await WaitForRobotListenerAsync(server);
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        await TypeAsync(server, "lisi", null, "stauts");
        var hint = await WaitForMessageAsync(server, m => m.ChatUser == "lisi" && m.Kind == "SessionReply", "the did-you-mean");
        Assert.Contains("Did you mean `status", hint.Text, StringComparison.Ordinal);

        // Beyond the policy's max (40): nothing happens until the sender confirms; another person cannot.
        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl scale shop/checkout-api {before}->50 for 10m launch");
        var ask = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("zhangsan") && m.Text.Contains("confirm ", StringComparison.Ordinal), "the confirmation question");
        var code = System.Text.RegularExpressions.Regex.Match(ask.Text, "confirm ([A-Z0-9]{6})").Groups[1].Value;
        Assert.Equal(before, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));
        await TypeAsync(server, "lisi", Group, $"@ScaleControl confirm {code}");
        await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("lisi") && m.Text.Contains("Only zhangsan", StringComparison.Ordinal), "lisi refused");
        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl confirm {code}");
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == 50, "kubectl shows 50 replicas");
    }

    [Fact]
    public async Task RiskyScale_ConfirmationCardSeenByTheSenderOnly_TheSendersTapScales()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings());
        await WaitForRobotListenerAsync(server);
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl scale shop/checkout-api {before}->50 for 10m launch");
        var card = await server.EventuallyJson(async () => (await server.GetJson("/sandbox/dingtalk/cards")).EnumerateArray()
            .Where(c => c.GetProperty("outTrackId").GetString()!.StartsWith("confirm.", StringComparison.Ordinal) && c.GetProperty("spaces").GetArrayLength() > 0)
            .Select(c => (JsonElement?)c.Clone()).FirstOrDefault(),
            "the confirmation card, delivered"); // created and delivered are two calls: read it once it is delivered
        var outTrackId = card.GetProperty("outTrackId").GetString()!;
        Assert.Equal(["zhangsan"], card.GetProperty("spaces")[0].GetProperty("recipients").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains(card.GetProperty("buttons").EnumerateArray(), b => b.GetProperty("actionId").GetString() == "confirm");

        // lisi is in the group but not a recipient: DingTalk does not even show him the card.
        using var lisiTap = await server.SandboxHttp.PostAsJsonAsync($"/sandbox/dingtalk/cards/{Uri.EscapeDataString(outTrackId)}/tap", new { userId = "lisi", actionIds = new[] { "confirm" } });
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, lisiTap.StatusCode);
        Assert.Equal(before, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));

        await server.PostJson($"/sandbox/dingtalk/cards/{Uri.EscapeDataString(outTrackId)}/tap", new { userId = "zhangsan", actionIds = new[] { "confirm" } });
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == 50, "kubectl shows 50 replicas");
        await server.Eventually(async () => (await server.GetJson($"/sandbox/dingtalk/cards/{Uri.EscapeDataString(outTrackId)}")).GetProperty("cardData").GetProperty("status").GetString() == "confirmed",
            "the card shows it confirmed");
    }

    [Fact]
    public async Task MessyMessages_GroupAndPrivate_EachGetsAClearAnswerWhereItBelongs_OnlyTheMeantChangeHappens()
    {
        // wangwu is taken off the roster (ScaleControl:Auth:People), though still in the group and in DingTalk.
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__Auth__People__2__UserId", "someone-else")));
        await WaitForRobotListenerAsync(server);
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        // A phone's Chinese input mode, extra spaces, and another person's @-mention inside the command: a public answer.
        await TypeAsync(server, "zhangsan", Group, "@ScaleControl    ｓｔａｔｕｓ　 @lisi   shop／checkout-api   ");
        var status = await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.OpenConversationId == Group, "the status answer in the group");
        Assert.Contains("shop/checkout-api", status.Text, StringComparison.Ordinal);
        Assert.Equal(["zhangsan"], status.AtUserIds);

        // Very long text: refused privately, nothing frozen.
        await TypeAsync(server, "zhangsan", Group, "@ScaleControl freeze shop/checkout-api for 1h " + new string('x', 2500));
        var tooLong = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("zhangsan"), "zhangsan's private refusal");
        Assert.Contains("too long", tooLong.Text, StringComparison.Ordinal);

        // Someone not on the roster: in a one-to-one chat the refusal comes back there; in the group, to them alone.
        await TypeAsync(server, "wangwu", null, $"scale shop/checkout-api {before}->6 for 30m gala");
        var refusedThere = await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.ChatUser == "wangwu", "wangwu's answer in the one-to-one chat");
        Assert.Contains("ScaleControl:Auth:People", refusedThere.Text, StringComparison.Ordinal);
        await TypeAsync(server, "wangwu", Group, "@ScaleControl approve shop/checkout-api");
        var refusedPrivately = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("wangwu"), "wangwu's private refusal");
        Assert.Contains("ScaleControl:Auth:People", refusedPrivately.Text, StringComparison.Ordinal);

        // An operator in a one-to-one chat, full-width arrow and digits, doubled spaces: exactly the change asked for.
        var wanted = before + 1;
        await TypeAsync(server, "lisi", null, $"  ｓｃａｌｅ　　shop/checkout-api  {before}－＞{wanted}  for ３０ｍ   ");
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == wanted, $"kubectl shows {wanted} replicas");
        await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.ChatUser == "lisi", "lisi's answer in the one-to-one chat");

        var policy = await server.GetJson("/api/v1/policies/shop/checkout-api", Viewer);
        Assert.False(policy.GetProperty("spec").TryGetProperty("freeze", out var freeze) && freeze.ValueKind != JsonValueKind.Null, "nothing froze the policy");
        Assert.Equal(wanted, policy.GetProperty("spec").GetProperty("pin").GetProperty("replicas").GetInt32());
        var messages = await MessagesAsync(server);
        var inTheGroup = messages.Where(m => m.Kind is "SessionReply" or "GroupMessage" && m.OpenConversationId == Group).ToList();
        Assert.DoesNotContain(inTheGroup, m => m.Text.Contains("too long", StringComparison.Ordinal) || m.Text.Contains("ScaleControl:Auth:People", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Kind == "OtoMessage" && m.Receivers.Contains("lisi"));
    }

    [Fact]
    public async Task PrepareAtAClockTime_IsBeijingTime_AndUnprepareCancelsIt_ListsPrivately_ViewerRefused()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__DingTalk__TimeZone", "Asia/Shanghai")));
        await WaitForRobotListenerAsync(server);

        // A clock time three hours ahead in Beijing (a whole minute, as typed): the event is then, not at that hour UTC.
        var at = DateTimeOffset.UtcNow.AddHours(3);
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, TimeSpan.Zero);
        var beijing = at.ToOffset(TimeSpan.FromHours(8)).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl prepare shop/checkout-api at {beijing} expect 2x for 20m reason gala");
        var prepared = await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.Text.Contains("expects traffic", StringComparison.Ordinal), "the group's prepare answer");
        Assert.Contains($"{beijing} UTC+08:00 for 20m", prepared.Text, StringComparison.Ordinal); // with the date when it is tomorrow there
        var expected = Assert.Single((await server.GetJson("/api/v1/policies/shop/checkout-api", Viewer)).GetProperty("spec").GetProperty("expectedEvents").EnumerateArray());
        Assert.Equal(at, expected.GetProperty("at").GetDateTimeOffset());
        var name = expected.GetProperty("name").GetString()!;

        // wangwu is a viewer: refused privately, the event stays.
        await TypeAsync(server, "wangwu", Group, $"@ScaleControl unprepare shop/checkout-api {name}");
        var refusal = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("wangwu"), "wangwu's private refusal");
        Assert.Contains("operator role in `shop`", refusal.Text, StringComparison.Ordinal);

        // Without the event's name: the list, privately, with the time in Beijing.
        await TypeAsync(server, "zhangsan", Group, "@ScaleControl unprepare shop/checkout-api");
        var list = await WaitForMessageAsync(server, m => m.Kind == "OtoMessage" && m.Receivers.Contains("zhangsan") && m.Text.Contains("Expected events", StringComparison.Ordinal), "zhangsan's list");
        Assert.Contains($"`{name}` at ", list.Text, StringComparison.Ordinal);
        Assert.Contains($"{beijing} UTC+08:00 for 20m: floor", list.Text, StringComparison.Ordinal);
        Assert.Single((await server.GetJson("/api/v1/policies/shop/checkout-api", Viewer)).GetProperty("spec").GetProperty("expectedEvents").EnumerateArray());

        await TypeAsync(server, "zhangsan", Group, $"@ScaleControl unprepare shop/checkout-api {name}");
        var cancelled = await WaitForMessageAsync(server, m => m.Kind == "SessionReply" && m.Text.Contains("cancelled", StringComparison.Ordinal), "the group's unprepare answer");
        Assert.Contains(name, cancelled.Text, StringComparison.Ordinal);
        Assert.Empty((await server.GetJson("/api/v1/policies/shop/checkout-api", Viewer)).GetProperty("spec").GetProperty("expectedEvents").EnumerateArray());
        var history = await server.GetJson("/api/v1/history?namespace=shop", Viewer);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Unprepared"
            && h.GetProperty("by").GetString() == "zhangsan" && h.GetProperty("channel").GetString() == "DingTalkChat");
    }

    private static async Task WaitForRobotListenerAsync(ProductOnCluster server) =>
        await server.Eventually(async () =>
        {
            var connections = await server.GetJson("/sandbox/dingtalk/stream/connections");
            return connections.EnumerateArray().Count(c => c.GetProperty("subscriptions").EnumerateArray()
                .Any(s => s.GetProperty("topic").GetString() == "/v1.0/im/bot/messages/get")) >= 1;
        }, "the product listens to robot messages");

    private static Task<JsonElement> TypeAsync(ProductOnCluster server, string from, string? conversationId, string text) =>
        server.PostJson("/sandbox/dingtalk/messages", conversationId is null ? new { from, text } : new { from, conversationId, text });

    private static async Task<List<PhoneMessage>> MessagesAsync(ProductOnCluster server) =>
        [.. (await server.GetJson("/sandbox/dingtalk/messages")).EnumerateArray().Select(PhoneMessage.From)];

    private static async Task<PhoneMessage> WaitForMessageAsync(ProductOnCluster server, Func<PhoneMessage, bool> match, string what, int skip = 0) =>
        await server.Eventually(async () => (await MessagesAsync(server)).Where(m => m.Kind != "UserMessage").Where(match).Skip(skip).FirstOrDefault(), what, seconds: 20);

    private sealed record PhoneMessage(string Kind, string Text, string? OpenConversationId, IReadOnlyList<string> Receivers, IReadOnlyList<string> AtUserIds, string? ChatUser)
    {
        public static PhoneMessage From(JsonElement m) => new(
            m.GetProperty("kind").GetString()!,
            m.GetProperty("text").GetString()!,
            m.TryGetProperty("openConversationId", out var c) ? c.GetString() : null,
            [.. m.GetProperty("receivers").EnumerateArray().Select(r => r.GetString()!)],
            [.. m.GetProperty("atUserIds").EnumerateArray().Select(r => r.GetString()!)],
            m.TryGetProperty("chatUser", out var u) ? u.GetString() : null);
    }
}
