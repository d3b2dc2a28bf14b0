using System.Text.Json;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests.Reliability;

/// <summary>
/// The fault ledger survives a leader change: Prometheus is down for both replicas; the leader opens one fault card
/// and DINGs once, then is killed. The other replica takes over and goes on with the same card (updates it in
/// place) instead of announcing the fault again — one card, one DING. It reads what the old leader kept in the
/// <c>{lease}-faults</c> ConfigMap.
/// </summary>
public sealed class FaultHandoverTests
{
    [Fact]
    public async Task PrometheusDown_LeaderKilled_NewLeaderUpdatesTheSameFaultCard_NoSecondCardNoSecondDing()
    {
        await using var cluster = await SharedCluster.StartAsync();
        (string, string)[] settings =
        [
            ("ScaleControl__DingTalk__NoticeConversationId", cluster.FirstGroup),
            ("ScaleControl__DingTalk__FaultReceivers__0", "zhangsan"),
            ("ScaleControl__Loop__FaultOpenAfterSeconds", "2"),
            ("ScaleControl__Loop__FaultUpdateSeconds", "2"),
            ("ScaleControl__Loop__FaultResolveAfterSeconds", "2"),
        ];
        await using var first = await cluster.StartReplicaAsync("replica-a", settings);
        await cluster.Sandbox.Eventually(() => Task.FromResult(first.Output.Contains("replica-a leading: True", StringComparison.Ordinal)), "replica-a leads", 60);
        var opened = await cluster.Sandbox.EventuallyJson(async () => (await FaultCardsAsync(cluster)) is [var card] ? card : null,
            "replica-a opens the Prometheus fault card", 90);
        await using var second = await cluster.StartReplicaAsync("replica-b", settings);
        var ledger = await cluster.Sandbox.Kubectl.RunAsync("get", "configmap", "scalecontrol-leader-faults", "-n", "scalecontrol-system", "-o", "json");
        Assert.Contains("prometheus", ledger.StdOut, StringComparison.Ordinal);

        await first.KillAsync();
        await cluster.Sandbox.Eventually(() => Task.FromResult(second.Output.Contains("replica-b leading: True", StringComparison.Ordinal)), "replica-b takes over", 60);
        // replica-b goes on with the same card: updated in place after it took over.
        var takenOverAt = DateTimeOffset.UtcNow;
        await cluster.Sandbox.Eventually(async () => (await FaultCardsAsync(cluster)).Any(c => UpdatedAt(c) > takenOverAt.AddSeconds(1)),
            "replica-b updates the fault card", 60);

        var cards = await FaultCardsAsync(cluster);
        var card = Assert.Single(cards);
        Assert.Equal(opened.GetProperty("outTrackId").GetString(), card.GetProperty("outTrackId").GetString());
        Assert.Equal("fault", card.GetProperty("cardData").GetProperty("status").GetString());
        var dings = (await cluster.Sandbox.GetJson("/sandbox/dingtalk/messages?kind=Ding")).EnumerateArray()
            .Count(m => m.GetRawText().Contains("Prometheus failing", StringComparison.Ordinal));
        Assert.True(dings == 1, $"{dings} DINGs for one Prometheus fault\n--- replica-b ---\n{Tail(second.Output)}");
    }

    private static async Task<List<JsonElement>> FaultCardsAsync(SharedCluster cluster) =>
        [.. (await cluster.Sandbox.GetJson("/sandbox/dingtalk/cards")).EnumerateArray()
            .Where(c => c.GetProperty("outTrackId").GetString()!.StartsWith("fault.prometheus-", StringComparison.Ordinal))];

    private static DateTimeOffset UpdatedAt(JsonElement card) => card.GetProperty("updatedAt").GetDateTimeOffset();

    private static string Tail(string text) => text.Length > 6000 ? text[^6000..] : text;
}
