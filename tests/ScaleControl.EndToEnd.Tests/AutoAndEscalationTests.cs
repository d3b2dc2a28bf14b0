using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests;

public sealed class AutoAndEscalationTests
{
    [Fact]
    public async Task AutoPolicy_ScalesByItself_StepsShowOnOneCardUpdatedInPlace()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings());
        var before = await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder");

        await server.HotEventAsync("video", "video-transcoder", 3);

        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") > before, "the transcoder scales up by itself");
        // The seeded transcoder declares Parallel: a step's new pods start together, not one readiness after another.
        Assert.Equal("Parallel", (await server.Kubectl.RunAsync("get", "sts", "video-transcoder", "-n", "video", "-o", "jsonpath={.spec.podManagementPolicy}")).StdOut);
        // A 2 s ramp is read in one step or two, as the loop's evaluations fall in the 5 s rate window (a loaded machine
        // read it whole, one step: failed once in CI). More traffic on top makes a further automatic step certain
        // (3x + 0.5x of the base: 18 pods of the policy's 20). The group sees one card that follows the steps.
        await server.HotEventAsync("video", "video-transcoder", 1.5);
        await server.Eventually(async () => (await AutoSteps(server)).Count >= 2, "two automatic steps");
        var card = await server.EventuallyJson(async () =>
        {
            var cards = (await server.GetJson("/sandbox/dingtalk/cards")).EnumerateArray()
                .Where(c => c.GetProperty("cardData").GetProperty("title").GetString()!.StartsWith("video/video-transcoder scaling automatically: ", StringComparison.Ordinal))
                .ToList();
            return cards.Count == 1 && cards[0].GetProperty("version").GetInt32() >= 2 ? cards[0] : (JsonElement?)null;
        }, "one automatic card, updated in place");
        Assert.Equal("auto", card.GetProperty("cardData").GetProperty("status").GetString());
        Assert.Empty(card.GetProperty("renderWarnings").EnumerateArray());
        Assert.Contains(card.GetProperty("buttons").EnumerateArray(), b => b.GetProperty("actionId").GetString() == "undo_all");
        Assert.DoesNotContain(card.GetProperty("buttons").EnumerateArray(), b => b.GetProperty("actionId").GetString() == "approve");
        var steps = await AutoSteps(server);
        Assert.All(steps, s => Assert.Equal(card.GetProperty("outTrackId").GetString(), s.GetProperty("status").GetProperty("card").GetProperty("outTrackId").GetString()));
        Assert.DoesNotContain("video/video-transcoder** scaled automatically", (await server.GetJson("/sandbox/dingtalk/messages")).GetRawText(), StringComparison.Ordinal);
        var history = await server.GetJson("/api/v1/history?namespace=video", "sandbox-viewer");
        Assert.Contains(history.EnumerateArray(), h => h.GetProperty("kind").GetString() == "AutoScaled" && h.GetProperty("channel").GetString() == "Auto");
    }

    private static async Task<List<JsonElement>> AutoSteps(ProductOnCluster server) =>
        [.. (await server.GetJson("/api/v1/proposals?namespace=video", "sandbox-viewer")).EnumerateArray()
            .Where(p => p.GetProperty("status").GetProperty("phase").GetString() == "Applied"
                && p.GetProperty("spec").GetProperty("toReplicas").GetInt32() > p.GetProperty("spec").GetProperty("fromReplicas").GetInt32())];

    [Fact]
    public async Task NobodyTaps_DingEscalation_ThenExpiry()
    {
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(
            ("ScaleControl__Sandbox__EscalationSeconds", "2"),
            ("ScaleControl__Sandbox__ApprovalExpirySeconds", "8"),
            ("ScaleControl__Sandbox__FlatTraffic", "true")));
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");

        // A settled event: the proposal that escalates and expires is the one first read, not superseded by an amendment.
        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 3);
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
        // The expiry is written first and the card brought up to date after it (the card is the proposal's view): on a
        // busy machine the card can still say pending for a moment after the phase reads Expired.
        await server.Eventually(async () => (await ApprovalFlowTests.Card(server, $"shop.{name}"))
            .GetProperty("cardData").GetProperty("status").GetString() == "expired", "the card shows the expiry");
    }
}
