using System.Net;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An expected event's floor waits on its card (Approval policy), and the event is cancelled (<c>scalectl unprepare</c>)
/// or prepared again smaller before the loop evaluates again: the policy's status still carries the floor's decision,
/// so an approver's tap (over Stream, through the real adapter) is judged by the event as it is on the policy now.
/// </summary>
public sealed class UnpreparedWhilePendingTests : ServerWithDingTalk
{
    private const string Path = "/api/v1/policies/shop/checkout-api/expected-events";

    [Fact]
    public async Task EventCancelled_ApproverTapsBeforeTheNextEvaluation_NotScaled_ProposalWithdrawn()
    {
        // Live: the tap answered "scaling now" and the workload went to the cancelled event's 12 replicas.
        var (pending, outTrackId) = await GivenEventCardAsync(); // 4 → 12 for "push"
        using var client = Server.ClientWith(ZhangsanToken);
        using var cancelled = await client.DeleteAsync($"{Path}/push"); // scalectl unprepare; no tick since
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(
            "Not applied: no longer needed, the expected event push it was raised for is no longer on the policy (cancelled). The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Superseded, stored.Status.Phase);
        Assert.Empty(stored.Status.Approvals);
        var card = (await Emulator.CardAsync(outTrackId)).GetProperty("cardData");
        Assert.Equal("No longer needed", card.GetProperty("statusText").GetString());
        Assert.Equal("no longer needed: the expected event push it was raised for is no longer on the policy (cancelled); no change", card.GetProperty("result").GetString());
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
    }

    [Fact]
    public async Task EventPreparedAgainSmaller_ApproverTaps_NotScaledToTheOldFloor_ProposalWithdrawn()
    {
        var (pending, outTrackId) = await GivenEventCardAsync();
        using var client = Server.ClientWith(ZhangsanToken);
        using var smaller = await client.PostJson(Path, Event(replicas: 6)); // same name: replaces it
        Assert.Equal(HttpStatusCode.OK, smaller.StatusCode);

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(
            "Not applied: no longer needed, the expected event push it was raised for now asks for 6 replicas, not 12. The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
    }

    [Fact]
    public async Task EventStillThere_ApproverTaps_TheFloorIsApplied()
    {
        var (pending, outTrackId) = await GivenEventCardAsync();

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal("Recorded: approved by lisi (12 replicas); scaling now", PrivateLine(tap));
        Assert.Equal(ProposalPhase.Applied, (await StoredAsync(pending)).Status.Phase);
        Assert.Equal(12, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task ScaleDownWaiting_AnEventPreparedSinceAsksForMore_ApproverTaps_NotScaledBelowTheFloor()
    {
        // The status still carries the step down until the loop evaluates again: only the spec knows of the event.
        Server.Workloads.Add("shop", "checkout-api", 10);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400);
        await Tick();
        await Emulator.WaitForStreamAsync(); // before the clock moves on
        ScaleProposal? down = null;
        for (var minute = 0; minute < 10 && down is null; minute++)
        {
            await Tick(seconds: 60); // past the scale-down window, the step down is asked
            down = (await Server.Proposals.ListAsync("shop", default)).SingleOrDefault(p => p.Status.Phase == ProposalPhase.Pending);
        }

        Assert.Equal((10, 4), (down!.Spec.FromReplicas, down.Spec.ToReplicas));
        using var client = Server.ClientWith(ZhangsanToken);
        using var prepared = await client.PostJson(Path, Event(replicas: 8)); // its floor starts now (5 min lead)
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);

        var (_, tap) = await Emulator.TapAsync(down.Status.Card!.OutTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Matches(@"^Not applied: no longer needed, expected event push at \d\d:\d\dZ by zhangsan \(push to 30M users\) floor -> 8: more than the 4 it would leave\. The proposal is withdrawn\.$", PrivateLine(tap));
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(down)).Status.Phase);
    }

    /// <summary>shop/checkout-api at 4 with the traffic of 4; "push" prepared for 12 replicas, its lead already started: the floor's card 4 → 12.</summary>
    private async Task<(ScaleProposal Pending, string OutTrackId)> GivenEventCardAsync()
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 350);
        using var client = Server.ClientWith(ZhangsanToken);
        using var prepared = await client.PostJson(Path, Event(replicas: 12));
        Assert.Equal(HttpStatusCode.OK, prepared.StatusCode);

        await Tick();

        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((4, 12, "event:push"), (pending.Spec.FromReplicas, pending.Spec.ToReplicas, pending.Spec.Evidence?.BoundBy));
        await Emulator.WaitForStreamAsync();
        return (pending, pending.Status.Card!.OutTrackId);
    }

    private object Event(int replicas) =>
        new { at = Server.Time.GetUtcNow().AddMinutes(2), durationSeconds = 1200, replicas, leadSeconds = 300, name = "push", reason = "push to 30M users" };
}
