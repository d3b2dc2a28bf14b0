using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A replica killed between delivering a proposal's card and recording it on the proposal leaves a card nothing
/// points at. The crash is played by taking the record off the stored proposal, as it stands after a kill between the
/// two; the cards live in the DingTalk emulator (real HTTP, the real adapter). The card's outTrackId is the proposal's
/// own, so the reconciler finds it: a decided proposal's card shows the decision, a pending one's is recorded, and a
/// proposal whose card never arrived records that there is none, once. One fake clock for the server and the emulator.
/// </summary>
public sealed class UnrecordedCardTests : ServerWithDingTalk
{
    [Fact]
    public async Task CardNotRecorded_NoLeaderUntilAfterTheExpiry_TheCardSaysExpiredAndIsRecorded()
    {
        var (pending, outTrackId) = await GivenCardNotRecordedAsync();

        await Tick(seconds: 600); // the replica is back after the expiry: this tick expires the proposal
        Assert.Equal(ProposalPhase.Expired, (await StoredAsync(pending)).Status.Phase);
        Assert.NotEmpty(await Emulator.ButtonsAsync(outTrackId)); // the card still offers Approve

        await Tick(seconds: 31);

        Assert.Equal("expired", await StatusOnCardAsync(outTrackId));
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        var expired = await StoredAsync(pending);
        Assert.Equal((outTrackId, "cidOnCall==", CardState.Of(expired)), (expired.Status.Card?.OutTrackId, expired.Status.Card?.OpenConversationId, expired.Status.Card?.ShownState));
        Assert.Null(expired.Status.Card!.Error);
    }

    [Fact]
    public async Task CardNotRecorded_ApprovedThroughTheApi_TheCardShowsTheOutcome()
    {
        var (pending, outTrackId) = await GivenCardNotRecordedAsync();
        var approved = await Server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        Assert.Equal(ProposalPhase.Applied, approved.Proposal!.Status.Phase);
        Assert.Null(approved.Proposal.Status.Card);

        await Tick(seconds: 31);

        Assert.Equal("applied", await StatusOnCardAsync(outTrackId));
        Assert.Equal(["undo"], await Emulator.ButtonsAsync(outTrackId));
        Assert.False(CardState.IsStale(await StoredAsync(pending)));
    }

    [Fact]
    public async Task CardNotRecorded_StillPending_DeliveredAgainIsRefusedByDingTalk_TheCardIsRecordedNotPostedTwice()
    {
        var (pending, outTrackId) = await GivenCardNotRecordedAsync();

        await Tick(seconds: 31); // createAndDeliver with the same outTrackId: param.cardAlreadyExist, so the card is updated

        Assert.Equal(outTrackId, (await StoredAsync(pending)).Status.Card?.OutTrackId);
        await Tick(seconds: 5); // recorded as not shown yet (a DingTalk that took the second delivery silently would show the first): shown once more
        var stored = await StoredAsync(pending);
        Assert.Equal(CardState.Of(stored), stored.Status.Card?.ShownState);
        var card = await Emulator.CardAsync(outTrackId);
        Assert.Equal(1, card.GetProperty("spaces").GetArrayLength());
        Assert.Single(await AllCardsAsync());

        // Recorded, the card follows the proposal the usual way.
        await Server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, false, Reason: "not now"), default);
        Assert.Equal("rejected", await StatusOnCardAsync(outTrackId));
    }

    [Fact]
    public async Task NoCardEverArrived_RejectedThroughTheApi_TheProposalRecordsThereIsNone_AndIsNotAskedAgain()
    {
        Emulator.Service<FaultInjector>().Arm(new FaultRule("/v1.0/card/instances/createAndDeliver", FaultKind.Error, StatusCode: 400, Code: "param.invalid", Message: "refused"));
        var (pending, outTrackId) = await GivenCardNotRecordedAsync();
        Assert.Empty(await AllCardsAsync());
        await Server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, false, Reason: "not now"), default);

        await Tick(seconds: 31);

        var rejected = await StoredAsync(pending);
        Assert.Equal(outTrackId, rejected.Status.Card?.OutTrackId);
        Assert.StartsWith("no card: DingTalk has none under this proposal's id", rejected.Status.Card?.Error, StringComparison.Ordinal);
        Assert.Empty(await AllCardsAsync()); // looking for a card never delivers one

        await Tick(seconds: 31);
        Assert.Equal(rejected.Metadata.ResourceVersion, (await StoredAsync(pending)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task CardNotRecorded_DecidedMoreThanADayAgo_NotLookedFor()
    {
        var (pending, outTrackId) = await GivenCardNotRecordedAsync();
        await Server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, false), default);

        await Tick(seconds: 86_401);

        Assert.Null((await StoredAsync(pending)).Status.Card);
        Assert.Equal("pending", await StatusOnCardAsync(outTrackId));
    }

    [Fact]
    public async Task AutomaticStepsCardNotRecorded_FoundAndTheNextStepJoinsIt_OneCardForTheBurst()
    {
        Server.Workloads.Add("video", "video-transcoder", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        Server.Metrics.Set(TestPolicies.Query("video-transcoder"), 700);
        await Tick();
        var first = Assert.Single(await Server.Proposals.ListAsync("video", default));
        var outTrackId = first.Status.Card!.OutTrackId;
        await LoseCardRecordAsync(first);

        Server.Metrics.Set(TestPolicies.Query("video-transcoder"), 1200);
        await Tick(seconds: 60);

        var steps = (await Server.Proposals.ListAsync("video", default)).OrderBy(ProposalFactory.CreatedAt).ToList();
        Assert.Equal([7, 12], steps.Select(s => s.Status.AppliedReplicas ?? 0));
        Assert.All(steps, s => Assert.Equal(outTrackId, s.Status.Card?.OutTrackId));
        Assert.Single(await AllCardsAsync());
        Assert.Contains("4 → 7 → 12", (await Emulator.CardAsync(outTrackId)).GetProperty("cardData").GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A 4 → 10 proposal in shop, its card sent to the emulator, then the record taken off the proposal, as a kill between the two leaves it.</summary>
    private async Task<(ScaleProposal Pending, string OutTrackId)> GivenCardNotRecordedAsync()
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick();
        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default));
        var outTrackId = pending.Status.Card!.OutTrackId;
        Assert.Equal($"shop.{pending.Metadata.Name}", outTrackId);
        return (await LoseCardRecordAsync(pending), outTrackId);
    }

    private Task<ScaleProposal> LoseCardRecordAsync(ScaleProposal proposal) =>
        Server.Proposals.UpdateAsync(proposal with { Status = proposal.Status with { Card = null } }, default);


    private async Task<JsonElement[]> AllCardsAsync() =>
        (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!;
}
