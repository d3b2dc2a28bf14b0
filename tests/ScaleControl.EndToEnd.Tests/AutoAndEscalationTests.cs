using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests;

public sealed class AutoAndEscalationTests
{
    [Fact]
    public async Task AutoPolicy_ScalesByItself_AndPostsANotice()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings());
        var before = await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder");

        await server.HotEventAsync("video", "video-transcoder", 3);

        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") > before, "the transcoder scales up by itself");
        await server.Eventually(async () => (await server.GetJson("/sandbox/dingtalk/messages")).GetRawText().Contains("video/video-transcoder", StringComparison.Ordinal), "a notice is posted to the group");
        var history = await server.GetJson("/api/v1/history?namespace=video", "sandbox-viewer");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "AutoScaled" && h.GetProperty("channel").GetString() == "Auto");
    }

    [Fact]
    public async Task NobodyTaps_DingEscalation_ThenExpiry()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(
            ("ScaleControl__Sandbox__EscalationSeconds", "2"),
            ("ScaleControl__Sandbox__ApprovalExpirySeconds", "8")));
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        await server.HotEventAsync("shop", "checkout-api", 3);
        var name = (await ApprovalFlowTests.StablePendingAsync(server)).GetProperty("metadata").GetProperty("name").GetString()!;

        var escalated = (await server.EventuallyJson(async () =>
        {
            var p = await server.GetJson($"/api/v1/proposals/shop/{name}", "sandbox-viewer");
            return p.GetProperty("status").GetProperty("escalations").GetArrayLength() > 0 ? p : (JsonElement?)null;
        }, "the proposal is escalated"));
        Assert.Equal("ding", escalated.GetProperty("status").GetProperty("escalations")[0].GetProperty("via").GetString());
        await server.Eventually(async () => (await server.GetJson("/sandbox/dingtalk/messages?kind=ding")).GetArrayLength() > 0, "the emulator received a DING");

        await server.Eventually(async () => (await server.GetJson($"/api/v1/proposals/shop/{name}", "sandbox-viewer"))
            .GetProperty("status").GetProperty("phase").GetString() == "Expired", "the proposal expires");
        Assert.Equal(before, await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"));
        var card = await ApprovalFlowTests.Card(server, $"shop.{name}");
        Assert.Equal("expired", card.GetProperty("cardData").GetProperty("status").GetString());
    }
}
