using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A pending scale-up once traffic falls back to what the workload runs: an approver's tap (sent by the DingTalk emulator
/// over Stream, real HTTP through the real adapter) is re-checked against the policy's latest decision and refused
/// privately, the proposal is withdrawn and its card says why; untapped, the loop withdraws it once its decisions have
/// said "no change" for the scale-down stabilization window. One fake clock for the server and the emulator.
/// </summary>
public sealed class StaleApprovalCardTests : ServerWithDingTalk
{
    [Fact]
    public async Task TrafficFellBack_ApproverTaps_RefusedPrivately_NotScaled_CardSaysNoLongerNeeded()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // 4 → 10
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400); // back to what 4 pods serve
        await Tick(seconds: 5); // the decision: desired 4 = running 4

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");

        Assert.Equal(200, status);
        Assert.Equal(
            "Not applied: no longer needed, the latest decision wants no scale-up: desired 4 = running 4 (evaluated 10:00:05 UTC). The proposal is withdrawn.",
            PrivateLine(tap));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
        var stored = (await Server.Proposals.GetAsync("shop", pending.Metadata.Name, default))!;
        Assert.Equal((ProposalPhase.Superseded, ProposalLifecycle.WithdrawnAction), (stored.Status.Phase, stored.Status.Supersession?.Action));
        Assert.Empty(stored.Status.Approvals);
        var card = await CardDataAsync(outTrackId);
        Assert.Equal("No longer needed", card.GetProperty("statusText").GetString());
        Assert.Equal("no longer needed: the latest decision wants no scale-up: desired 4 = running 4 (evaluated 10:00:05 UTC); no change", card.GetProperty("result").GetString());
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Contains(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn && e.Message.Contains("when lisi approved via DingTalk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrafficStillThere_ApproverTaps_Applied()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        await Tick(seconds: 5);

        await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default); // the tap is answered before its apply ends: wait for it

        Assert.Equal(ProposalPhase.Applied, (await Server.Proposals.GetAsync("shop", pending.Metadata.Name, default))!.Status.Phase);
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task LoopStoppedEvaluating_ApproverTaps_RefusedFailStatic_ProposalStillWaits()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        Server.Time.Advance(TimeSpan.FromSeconds(191)); // no tick: the status is as old as the leader left it

        var (_, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");

        Assert.StartsWith("Not applied: cannot confirm it is still needed: the policy's latest decision is from 10:00:00 UTC, 191 s ago", PrivateLine(tap), StringComparison.Ordinal);
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(ProposalPhase.Pending, (await Server.Proposals.GetAsync("shop", pending.Metadata.Name, default))!.Status.Phase);
    }

    [Fact]
    public async Task TrafficFellBack_NobodyTaps_LoopWithdrawsAfterTheScaleDownWindow_NotOnOneEvaluation()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400);
        await Tick(seconds: 5); // 10:00:05, the first "no change"
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick(seconds: 5); // one evaluation asks for 10 again: the wait starts over
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 400);
        for (var i = 0; i < 60; i++)
        {
            await Tick(seconds: 5); // 10:00:15 … 10:05:10
        }

        Assert.Equal(ProposalPhase.Pending, (await Server.Proposals.GetAsync("shop", pending.Metadata.Name, default))!.Status.Phase);

        await Tick(seconds: 5); // 10:05:15: 300 s of "no change" since 10:00:15

        var stored = (await Server.Proposals.GetAsync("shop", pending.Metadata.Name, default))!;
        Assert.Equal((ProposalPhase.Superseded, ProposalLifecycle.WithdrawnAction), (stored.Status.Phase, stored.Status.Supersession?.Action));
        Assert.Equal(
            "no longer needed: the latest decision wants no scale-up: desired 4 = running 4 (evaluated 10:05:15 UTC), steadily since 10:00:15 UTC; no change",
            (await CardDataAsync(outTrackId)).GetProperty("result").GetString());
        Assert.Contains(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn && e.Message.Contains("by the control loop", StringComparison.Ordinal));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
    }
}
