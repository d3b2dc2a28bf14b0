using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Security;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// Approvals and rejections written into a ScaleProposal's status by hand, seen where people decide: the DingTalk card
/// and the answer to a tap (the emulator over Stream, real HTTP through the real adapter). A "more cautious" approval
/// beside a real one never sizes the step the tap answer and the card name, and the card marks it with the history's
/// words; a rejection written by hand keeps its proposal stopped but holds nothing back: the next tick proposes the
/// change again, on a new card.
/// </summary>
public sealed class UnverifiedRecordsOnCardTests : ServerWithDingTalk
{
    [Fact]
    public async Task HandWrittenLowApproval_ThenATap_TheAnswerAndTheCardSizeByTheRecordedOnes_TheCardMarksTheClaim()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // 4 → 10
        // Someone who may edit ScaleProposal status adds a "more cautious" approval in zhangsan's name: 5 instead of 10.
        var low = new ApprovalRecord { User = "zhangsan", Channel = ApprovalChannel.DingTalk, At = Server.Time.GetUtcNow(), Replicas = 5 };
        await Server.Proposals.UpdateAsync(pending with { Status = pending.Status with { Approvals = [low] } }, default);

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default); // the tap is answered before its apply ends: wait for it

        Assert.Equal(200, status);
        Assert.Equal($"Recorded: approved by lisi (10 replicas); not counted: zhangsan (unverified: {UnverifiedWording.Unsigned}); scaling now", PrivateLine(tap));
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Applied, stored.Status.Phase);
        Assert.Contains(stored.Status.History, h => h.Message == "approved by lisi (10 replicas)");
        Assert.Contains(stored.Status.History, h => h.Message == "scaling 4 → 10");
        var card = await CardDataAsync(outTrackId);
        Assert.Equal($"Zhang San (5 replicas, unverified: {UnverifiedWording.Unsigned}), Li Si", card.GetProperty("decidedBy").GetString());
        Assert.StartsWith("applied 4 → 10", card.GetProperty("result").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HalfStepTap_TheClaimNamesTheHalfStep_AsTheApplierSizesIt()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(a => a with { AllowHalfStep = true }); // 4 → 10, or 4 → 7
        Assert.Equal(7, pending.Spec.AlternativeReplicas);
        const int half = 7;

        await Emulator.TapAsync(outTrackId, "lisi", "approve_half");
        await Server.Service<BackgroundApplies>().StopAsync(default);

        Assert.Equal(half, Server.Workloads.Replicas("shop", "checkout-api"));
        // The claim is sized once the approval is sealed: before, the tap's claim left its own approval out ("scaling 4 → 10").
        Assert.Contains((await StoredAsync(pending)).Status.History, h => h.Message == $"scaling 4 → {half}");
    }

    [Fact]
    public async Task HandWrittenRejection_CardMarksIt_HoldsNothingBack_TheNextTickProposesAgainOnANewCard()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // 4 → 10
        var rejection = new RejectionRecord { User = "lisi", Channel = ApprovalChannel.DingTalk, At = Server.Time.GetUtcNow(), Reason = "not now" };
        await Server.Proposals.UpdateAsync(pending with { Status = pending.Status with { Phase = ProposalPhase.Rejected, Rejection = rejection } }, default);

        await Tick(seconds: 5);

        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api")); // a forged "no" never scales
        Assert.Equal(ProposalPhase.Rejected, (await StoredAsync(pending)).Status.Phase);
        var again = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.NotEqual(pending.Metadata.Name, again.Metadata.Name);
        Assert.Equal((4, 10), (again.Spec.FromReplicas, again.Spec.ToReplicas));
        Assert.NotEqual(outTrackId, again.Status.Card!.OutTrackId);
        Assert.Contains("approve", await Emulator.ButtonsAsync(again.Status.Card.OutTrackId));
        var warned = Assert.Single(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalRejectionUnverified);
        Assert.Contains("a new proposal follows while the change is still needed", warned.Message, StringComparison.Ordinal);

        await Tick(seconds: 5); // the old card is brought up to date at the end of a tick
        var card = await CardDataAsync(outTrackId);
        Assert.Equal($"Li Si (unverified: {UnverifiedWording.UnsignedRejection})", card.GetProperty("decidedBy").GetString());
        Assert.Equal(
            $"rejected (unverified: {UnverifiedWording.UnsignedRejection}): not now; no change. Nothing held back: a new proposal follows while the change is still needed",
            card.GetProperty("result").GetString());
    }
}
