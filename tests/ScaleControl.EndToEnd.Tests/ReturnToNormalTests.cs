using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The way back after a hot event, against the product in cluster mode under the chart's RBAC (ProductOnCluster): the event's card is approved, the event
/// ends, and the same card offers one "return to normal" that an approval applies — checked with real kubectl.
/// </summary>
public sealed class ReturnToNormalTests
{
    private const string Viewer = "sandbox-viewer";

    [Fact]
    public async Task AfterTheHotEvent_TheSameCardOffersTheReturn_AnApprovalRestoresThePreEventCount()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(("ScaleControl__Sandbox__FlatTraffic", "true")));
        await AsksBothWaysAsync(server, returnToNormalAfterSeconds: 5);
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        // The hot event: its card is approved by zhangsan and kubectl sees the scale-up.
        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 4);
        var scaleUp = await ApprovalFlowTests.StablePendingAsync(server);
        var name = scaleUp.GetProperty("metadata").GetProperty("name").GetString()!;
        var to = scaleUp.GetProperty("spec").GetProperty("toReplicas").GetInt32();
        Assert.Equal(before, scaleUp.GetProperty("spec").GetProperty("preEventReplicas").GetInt32());
        var outTrackId = $"shop.{name}";
        await server.Eventually(async () => await Status(server, outTrackId) == "pending", "the event's card is in the group");
        await Tap(server, outTrackId, "zhangsan", "approve", new { action = "approve", replicas = to.ToString(CultureInfo.InvariantCulture) });
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == to, $"kubectl shows {to} replicas");

        // The event ends: after the quiet period the same card offers the way back, one row, to the pre-event count.
        await EndHotEventAsync(server, "shop", "checkout-api");
        await server.Eventually(async () => await Status(server, outTrackId) == "group_pending", "the event's card offers the return to normal", seconds: 90);
        var pending = Assert.Single((await server.GetJson("/api/v1/proposals?namespace=shop&phase=Pending", Viewer)).EnumerateArray());
        Assert.Equal(name, pending.GetProperty("metadata").GetProperty("annotations").GetProperty("scalecontrol.io/return-of").GetString());
        Assert.Equal((to, before), (pending.GetProperty("spec").GetProperty("fromReplicas").GetInt32(), pending.GetProperty("spec").GetProperty("toReplicas").GetInt32()));
        var card = await ApprovalFlowTests.Card(server, outTrackId);
        Assert.Contains("(return to normal)", card.GetProperty("cardData").GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("approve_all", card.GetProperty("buttons").EnumerateArray().Select(b => b.GetProperty("actionId").GetString()));

        // lisi approves on the card: back to the pre-event count, seen by kubectl, recorded with who and how.
        await Tap(server, outTrackId, "lisi", "approve_all", new { action = "approve_all" });
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == before, $"kubectl shows the pre-event {before} replicas");
        var history = await server.GetJson("/api/v1/history?namespace=shop", Viewer);
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "Applied" && h.GetProperty("proposal").GetString() == pending.GetProperty("metadata").GetProperty("name").GetString()
            && h.GetProperty("by").GetString() == "lisi" && h.GetProperty("channel").GetString() == "DingTalk" && h.GetProperty("to").GetInt32() == before);
        await server.Eventually(async () => await Status(server, outTrackId) == "applied", "the card shows both rows applied");
    }

    /// <summary>
    /// checkout-api asks before scaling down too, with a short quiet period; its target is set so the flat baseline
    /// (120 qps) sizes clearly within the 3 replicas it starts with, not on the edge of a fourth.
    /// </summary>
    private static async Task AsksBothWaysAsync(ProductOnCluster server, int returnToNormalAfterSeconds)
    {
        var policy = JsonNode.Parse((await server.GetJson("/api/v1/policies/shop/checkout-api", SandboxServer.AdminToken)).GetRawText())!.AsObject();
        policy.Remove("status");
        policy["metadata"]!.AsObject().Remove("resourceVersion"); // the loop writes the status meanwhile: replace, not compare
        policy["spec"]!["scaleDownMode"] = "Approval";
        policy["spec"]!["metrics"]![0]!["target"] = 45;
        policy["spec"]!["approval"]!["returnToNormalAfterSeconds"] = returnToNormalAfterSeconds;
        using var admin = server.Client(SandboxServer.AdminToken);
        using var stored = await admin.PutAsJsonAsync("/api/v1/policies/shop/checkout-api", policy);
        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
    }

    private static async Task EndHotEventAsync(ProductOnCluster server, string ns, string workload)
    {
        var running = (await server.GetJson("/sandbox/traffic/hot-events")).EnumerateArray()
            .First(e => e.GetProperty("namespace").GetString() == ns && e.GetProperty("workload").GetString() == workload && e.GetProperty("phase").GetString() != "ended");
        using var client = server.Cluster.Sandbox.Client(SandboxServer.AdminToken);
        using var ended = await client.DeleteAsync($"/sandbox/traffic/hot-events/{running.GetProperty("id").GetString()}");
        ended.EnsureSuccessStatusCode();
    }

    private static async Task<string?> Status(ProductOnCluster server, string outTrackId) =>
        (await ApprovalFlowTests.Card(server, outTrackId)).GetProperty("cardData").GetProperty("status").GetString();

    private static Task<JsonElement> Tap(ProductOnCluster server, string outTrackId, string user, string actionId, object parameters) =>
        server.PostJson($"/sandbox/dingtalk/cards/{outTrackId}/tap", new { userId = user, actionIds = new[] { actionId }, @params = parameters });
}
