using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A schedule's floor is removed, lowered or added (<c>kubectl edit</c>) while a card the loop raised waits, and an
/// approver taps (over Stream, through the real adapter) before the loop evaluates again: the policy's status still
/// carries the old decision, so the tap is judged by the schedules as they are on the policy now.
/// </summary>
public sealed class ScheduleChangedWhilePendingTests : ServerWithDingTalk
{
    [Fact]
    public async Task ScheduleRemoved_ApproverTapsBeforeTheNextEvaluation_NotScaled_ProposalWithdrawn()
    {
        var (pending, outTrackId) = await GivenScheduleCardAsync(); // 4 → 12 for "peak"
        await EditPolicyAsync(s => s with { Schedules = [] }); // no tick since

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(
            "Not applied: no longer needed, the schedule peak it was raised for is no longer on the policy. The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
        Assert.Equal("No longer needed", (await Emulator.CardAsync(outTrackId)).GetProperty("cardData").GetProperty("statusText").GetString());
    }

    [Fact]
    public async Task ScheduleLowered_ApproverTaps_NotScaledToTheOldFloor_ProposalWithdrawn()
    {
        var (pending, outTrackId) = await GivenScheduleCardAsync();
        await EditPolicyAsync(s => s with { Schedules = [Peak(replicas: 6)] });

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(
            "Not applied: no longer needed, the schedule peak it was raised for now asks for 6 replicas, not 12. The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
    }

    [Fact]
    public async Task ScheduleStillThere_ApproverTaps_TheFloorIsApplied()
    {
        var (pending, outTrackId) = await GivenScheduleCardAsync();

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal("Recorded: approved by lisi (12 replicas); scaling now", PrivateLine(tap));
        Assert.Equal(ProposalPhase.Applied, (await StoredAsync(pending)).Status.Phase);
        Assert.Equal(12, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task ScaleDownWaiting_AScheduleAddedSinceAsksForMore_ApproverTaps_NotScaledBelowTheFloor()
    {
        var down = await GivenStepDownCardAsync(); // 10 → 4
        await EditPolicyAsync(s => s with { Schedules = [Peak(replicas: 8)] }); // open now; no tick since

        var (_, tap) = await Emulator.TapAsync(down.Status.Card!.OutTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(
            "Not applied: no longer needed, schedule peak floor -> 8: more than the 4 it would leave. The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(down)).Status.Phase);
    }

    [Fact]
    public async Task ScaleDownWaiting_AScheduleAddedForLater_ApproverTaps_ScaledDown()
    {
        var down = await GivenStepDownCardAsync();
        var now = Server.Time.GetUtcNow();
        await EditPolicyAsync(s => s with { Schedules = [Peak(replicas: 8) with { Start = now.AddHours(1), End = now.AddHours(2) }] });

        var (_, tap) = await Emulator.TapAsync(down.Status.Card!.OutTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal("Recorded: approved by lisi (4 replicas); scaling now", PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    /// <summary>shop/checkout-api at 4 with the traffic of 4; the schedule "peak" open now asks for 12: the floor's card 4 → 12.</summary>
    private async Task<(ScaleProposal Pending, string OutTrackId)> GivenScheduleCardAsync()
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        var policy = TestPolicies.Approval();
        await Server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Schedules = [Peak(replicas: 12)] } }, default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 350);

        await Tick();

        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((4, 12, "schedule:peak"), (pending.Spec.FromReplicas, pending.Spec.ToReplicas, pending.Spec.Evidence?.BoundBy));
        await Emulator.WaitForStreamAsync();
        return (pending, pending.Status.Card!.OutTrackId);
    }

    /// <summary>shop/checkout-api at 10 with the traffic of 4: past the scale-down window the loop asks 10 → 4.</summary>
    private async Task<ScaleProposal> GivenStepDownCardAsync()
    {
        Server.Workloads.Add("shop", "checkout-api", 10);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400);
        await Tick();
        await Emulator.WaitForStreamAsync(); // before the clock moves on
        ScaleProposal? down = null;
        for (var minute = 0; minute < 10 && down is null; minute++)
        {
            await Tick(seconds: 60);
            down = (await Server.Proposals.ListAsync("shop", default)).SingleOrDefault(p => p.Status.Phase == ProposalPhase.Pending);
        }

        Assert.Equal((10, 4), (down!.Spec.FromReplicas, down.Spec.ToReplicas));
        return down;
    }

    /// <summary>"peak", a one-shot window open from an hour ago for three hours.</summary>
    private ScheduleSpec Peak(int replicas)
    {
        var now = Server.Time.GetUtcNow();
        return new ScheduleSpec { Name = "peak", Start = now.AddHours(-1), End = now.AddHours(2), MinReplicas = replicas };
    }
}
