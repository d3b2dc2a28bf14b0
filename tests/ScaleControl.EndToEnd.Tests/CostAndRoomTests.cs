using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The card says what a change costs and whether it fits, read from the sandbox cluster's real nodes and pods; the
/// sandbox's scheduler then leaves exactly the pods the card said would not fit Pending (seen with kubectl), and
/// Undo on the card takes the change back.
/// </summary>
public sealed partial class CostAndRoomTests
{
    [Fact]
    public async Task HotEventOnASmallCluster_CardShowsCostAndShortRoom_KubectlShowsThosePodsPending_UndoRestores()
    {
        // Two 3.6-CPU nodes: the seeded services leave less than a CPU; checkout-api asks for half a CPU per pod.
        await using var server = await ProductOnCluster.StartAsync(Fast.Settings(
            ("ScaleControl__Sandbox__FlatTraffic", "true"),
            ("ScaleControl__Sandbox__Nodes", "2"),
            ("ScaleControl__Sandbox__NodeCpu", "3600m"),
            ("ScaleControl__Sandbox__NodeMemory", "16Gi"),
            ("ScaleControl__Cost__CpuHour", "2.40"),
            ("ScaleControl__Cost__MemoryGiBHour", "0.40"),
            ("ScaleControl__Cost__Currency", "¥")));
        var before = await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api");
        var pendingBefore = (await PendingPodsAsync(server)).Length;

        await SettledHotEvent.StartAsync(server, "shop", "checkout-api", 10);
        var proposal = await ApprovalFlowTests.StablePendingAsync(server);
        var name = proposal.GetProperty("metadata").GetProperty("name").GetString()!;
        var outTrackId = $"shop.{name}";
        var data = await server.EventuallyJson(async () =>
        {
            var card = (await ApprovalFlowTests.Card(server, outTrackId)).GetProperty("cardData");
            return card.GetProperty("status").GetString() == "pending" && card.GetProperty("replicasTo").GetString() == proposal.GetProperty("spec").GetProperty("toReplicas").ToString()
                ? card : (JsonElement?)null;
        }, "the card shows the proposal");
        var to = int.Parse(data.GetProperty("replicasTo").GetString()!, CultureInfo.InvariantCulture);
        var added = to - before;

        // 0.5 CPU and 512 MiB per pod, priced 2.40/CPU-hour and 0.40/GiB-hour.
        var cost = added * ((0.5m * 2.40m) + (0.5m * 0.40m));
        Assert.Equal($"+{added} pod{(added == 1 ? "" : "s")} · +{added * 0.5m:0.##} CPU, +{added * 0.5m:0.##} GiB · ≈ ¥{cost:0.00}/h",
            data.GetProperty("costDelta").GetString());
        var room = RoomLine().Match(data.GetProperty("room").GetString()!);
        Assert.True(room.Success, data.GetProperty("room").GetString());
        var pending = int.Parse(room.Groups["pending"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(added, int.Parse(room.Groups["of"].Value, CultureInfo.InvariantCulture));
        Assert.True(pending > 0, "the small cluster cannot hold them all");

        // Approved: the scheduler binds what fits and leaves the rest Pending, as the card said.
        await Tap(server, outTrackId, "zhangsan", "approve", to);
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == to, $"kubectl shows {to} replicas");
        await server.Eventually(async () => (await PendingPodsAsync(server)).Length == pendingBefore + pending, $"kubectl shows {pending} more Pending pods in shop");
        var events = (await server.Kubectl.RunAsync("get", "events", "-n", "shop", "--field-selector", "reason=FailedScheduling", "-o", "name")).StdOut;
        Assert.NotEmpty(events.Trim());

        // Undo on the applied card: back to where it started, the Pending pods go.
        await server.Eventually(async () => (await ApprovalFlowTests.Card(server, outTrackId)).GetProperty("buttons").EnumerateArray()
            .Any(b => b.GetProperty("actionId").GetString() == "undo"), "the applied card offers Undo");
        await Tap(server, outTrackId, "zhangsan", "undo");
        await server.Eventually(async () => await server.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api") == before, $"kubectl shows {before} replicas again");
        await server.Eventually(async () => (await PendingPodsAsync(server)).Length == pendingBefore, "the added Pending pods are gone");
        await server.Eventually(async () => (await ApprovalFlowTests.Card(server, outTrackId)).GetProperty("cardData").GetProperty("result").GetString()!
            .Contains("; undone by 张三 Zhang San at ", StringComparison.Ordinal), "the card says who undid it");

        // The settled hot event kept the target still: nothing was amended behind the approver's back.
        var final = await server.GetJson($"/api/v1/proposals/shop/{name}", "sandbox-viewer");
        Assert.Empty(final.GetProperty("status").GetProperty("amendments").EnumerateArray());
    }

    private static async Task<string[]> PendingPodsAsync(ProductOnCluster server) =>
        (await server.Kubectl.RunAsync("get", "pods", "-n", "shop", "--field-selector", "status.phase=Pending", "-o", "name")).StdOut
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Taps a button; Approve carries the count the card showed, as the real button does.</summary>
    private static Task<JsonElement> Tap(ProductOnCluster server, string outTrackId, string user, string action, int? replicas = null) =>
        server.PostJson($"/sandbox/dingtalk/cards/{outTrackId}/tap", replicas is { } shown
            ? new { userId = user, actionIds = new[] { action }, @params = (object)new { action, replicas = shown.ToString(CultureInfo.InvariantCulture) } }
            : new { userId = user, actionIds = new[] { action }, @params = (object)new { action } });

    [GeneratedRegex(@"^room: (?<fit>\d+) of (?<of>\d+) fit — (?<pending>\d+) would stay Pending \(needs ~\d+ more nodes?\)(; counted after \d+ pods? already Pending)?$")]
    private static partial Regex RoomLine();
}
