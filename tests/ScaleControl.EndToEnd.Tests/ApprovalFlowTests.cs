using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using System.Globalization;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>The product's story end to end, the product in cluster mode under the chart's RBAC against a sandbox cluster, checked with real kubectl.</summary>
public sealed class ApprovalFlowTests
{
    private const string Viewer = "sandbox-viewer";

    [Fact]
    public async Task HotEvent_ProposalCardTaps_ScalesOnlyForAnApprover_AndRecordsEverything()
    {
        // Flat traffic and a settled hot event: the proposal cannot be amended between reading it and the tap.
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__Sandbox__FlatTraffic", "true")));
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 4);
        var proposal = await StablePendingAsync(server);
        var name = proposal.GetProperty("metadata").GetProperty("name").GetString()!;
        var to = proposal.GetProperty("spec").GetProperty("toReplicas").GetInt32();
        Assert.True(to > before, $"proposal asks for {to}, workload runs {before}");
        var outTrackId = $"shop.{name}";
        await server.Eventually(async () => (await Card(server, outTrackId)).GetProperty("cardData").GetProperty("status").GetString() == "pending", "the card is in the group");

        // wangwu is in the group but not an approver: nothing changes and he is told why.
        await Tap(server, outTrackId, "wangwu");
        var wangwuView = (await server.GetJson($"/sandbox/dingtalk/cards/{outTrackId}?userId=wangwu")).GetRawText();
        Assert.Contains("not an approver", wangwuView);
        Assert.Equal(before, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));

        // zhangsan approves: the deployment is scaled, the card says by whom and the result.
        await Tap(server, outTrackId, "zhangsan", to);
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == to, $"kubectl shows {to} replicas");
        // The card follows the scale write (the applier shows the outcome, then records it): wait for it.
        await server.Eventually(async () => (await Card(server, outTrackId)).GetProperty("cardData").GetProperty("status").GetString() == "applied", "the card shows the outcome");
        var card = await Card(server, outTrackId);
        var cardText = string.Join('\n', card.GetProperty("cardData").EnumerateObject().Select(p => p.Value.ToString()));
        Assert.Contains("Zhang San", cardText);
        Assert.Contains($"applied {before} → {to}", cardText);
        Assert.Equal(["undo"], card.GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString())); // only Undo is left

        var describe = (await server.Kubectl.RunAsync("describe", "deployment", "checkout-api", "-n", "shop")).StdOut;
        Assert.Contains("ScaledByScaleControl", describe);
        Assert.Contains("zhangsan", describe);

        var history = await server.GetJson("/api/v1/history?namespace=shop", Viewer);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Applied"
            && h.GetProperty("proposal").GetString() == name && h.GetProperty("by").GetString() == "zhangsan" && h.GetProperty("to").GetInt32() == to);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Approved" && h.GetProperty("channel").GetString() == "DingTalk");
    }

    [Fact]
    public async Task TwoApproversTapAtTheSameMoment_ScaleOnce()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__Sandbox__FlatTraffic", "true")));
        // A settled event: the proposal cannot be amended between reading it and the taps.
        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 3);
        var proposal = await StablePendingAsync(server);
        var name = proposal.GetProperty("metadata").GetProperty("name").GetString()!;
        var outTrackId = $"shop.{name}";
        await server.Eventually(async () => (await Card(server, outTrackId)).GetProperty("cardData").GetProperty("status").GetString() == "pending", "the card is in the group");

        await Task.WhenAll(TapRaw(server, outTrackId, "zhangsan"), TapRaw(server, outTrackId, "lisi"));

        var applied = (await server.EventuallyJson(async () =>
        {
            var p = await server.GetJson($"/api/v1/proposals/shop/{name}", Viewer);
            return p.GetProperty("status").GetProperty("phase").GetString() == "Applied" ? p : (JsonElement?)null;
        }, "the proposal is applied"));
        Assert.Single(applied.GetProperty("status").GetProperty("history").EnumerateArray(), t => t.GetProperty("to").GetString() == "Applying");
        var events = (await server.Kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=ScaledByScaleControl", "-o", "jsonpath={range .items[*]}{.message}{\"\\n\"}{end}")).StdOut;
        Assert.Single(events.Split('\n', StringSplitOptions.RemoveEmptyEntries), m => m.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_ApprovePinFreeze_WorkThroughTheSameRules()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__Sandbox__FlatTraffic", "true")));
        using var zhangsan = server.Client("sandbox-zhangsan");

        // Approve through the API (a settled event: the proposal cannot be amended before the approval lands).
        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 3);
        var name = (await StablePendingAsync(server)).GetProperty("metadata").GetProperty("name").GetString()!;
        var approved = await server.PostJson($"/api/v1/proposals/shop/{name}/approve", new { }, "sandbox-zhangsan");
        Assert.Equal("Accepted", approved.GetProperty("result").GetString());
        Assert.Equal("Applied", approved.GetProperty("proposal").GetProperty("status").GetProperty("phase").GetString());

        // Pin the transcoder: scaled now and held.
        var pinned = await server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 17, durationSeconds = 600, reason = "launch" }, "sandbox-zhangsan");
        Assert.Equal(17, pinned.GetProperty("spec").GetProperty("pin").GetProperty("replicas").GetInt32());
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") == 17, "kubectl shows the pinned 17");
        var pinnedAt = DateTimeOffset.UtcNow;
        await server.Eventually(async () => await LastEvaluationAsync(server, "video", "video-transcoder") > pinnedAt, "the loop evaluates the pinned policy again");
        Assert.Equal(17, await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder"));

        // Freeze the feed: the policy says so and a viewer may not lift it.
        var frozen = await server.PostJson("/api/v1/policies/feed/feed-service/freeze", new { durationSeconds = 600, reason = "migration" }, "sandbox-zhangsan");
        Assert.Equal("migration", frozen.GetProperty("spec").GetProperty("freeze").GetProperty("reason").GetString());
        using var viewer = server.Client(Viewer);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/v1/policies/feed/feed-service/freeze")).StatusCode);
        var status = await server.GetJson("/api/v1/status", Viewer);
        var feed = status.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "feed-service");
        Assert.NotEqual(JsonValueKind.Null, feed.GetProperty("frozenUntil").ValueKind);
        var history = await server.GetJson("/api/v1/history", Viewer);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Pinned" && h.GetProperty("by").GetString() == "zhangsan");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Frozen");
    }

    /// <summary>The pending proposal once the traffic settled (the same one two polls in a row).</summary>
    internal static async Task<JsonElement> StablePendingAsync(ProductOnCluster server, string ns = "shop")
    {
        string? seen = null;
        return (await server.EventuallyJson(async () =>
        {
            var pending = await server.GetJson($"/api/v1/proposals?namespace={ns}&phase=Pending", Viewer);
            var first = pending.EnumerateArray().FirstOrDefault();
            if (first.ValueKind != JsonValueKind.Object)
            {
                return (JsonElement?)null;
            }

            var name = first.GetProperty("metadata").GetProperty("name").GetString();
            if (name != seen)
            {
                seen = name;
                await Task.Delay(1500);
                return null;
            }

            return first;
        }, "a pending proposal that stays"));
    }

    private static async Task<DateTimeOffset?> LastEvaluationAsync(ProductOnCluster server, string ns, string policy) =>
        (await server.GetJson("/api/v1/status", Viewer)).GetProperty("policies").EnumerateArray()
            .Single(p => p.GetProperty("namespace").GetString() == ns && p.GetProperty("name").GetString() == policy)
            .GetProperty("lastEvaluation") is { ValueKind: JsonValueKind.String } last
            ? DateTimeOffset.Parse(last.GetString()!, CultureInfo.InvariantCulture)
            : null;

    internal static Task<JsonElement> Card(ProductOnCluster server, string outTrackId) => server.GetJson($"/sandbox/dingtalk/cards/{outTrackId}");

    /// <summary>Taps Approve; with <paramref name="shown"/> it carries the count the card showed, as the real button does.</summary>
    private static Task<JsonElement> Tap(ProductOnCluster server, string outTrackId, string user, int? shown = null) =>
        server.PostJson($"/sandbox/dingtalk/cards/{outTrackId}/tap", shown is { } replicas
            ? new { userId = user, actionIds = new[] { "approve" }, @params = (object)new { action = "approve", replicas = replicas.ToString(System.Globalization.CultureInfo.InvariantCulture) } }
            : new { userId = user, actionIds = new[] { "approve" }, @params = (object)new { action = "approve" } });

    private static async Task TapRaw(ProductOnCluster server, string outTrackId, string user)
    {
        using var content = System.Net.Http.Json.JsonContent.Create(new { userId = user, actionIds = new[] { "approve" }, @params = new { action = "approve" } });
        using var response = await server.SandboxHttp.PostAsync($"/sandbox/dingtalk/cards/{outTrackId}/tap", content);
    }
}
