using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// Two renders of one card race (the reconciler on a read its cache had before a tap, a tap on another replica): the
/// card shows whichever landed last, and that may be the older state. The proposal must then not claim its card shows
/// the newer one, or nothing ever repairs it. Cards in the DingTalk emulator over real HTTP, one fake clock.
/// </summary>
public sealed class CardRenderRaceTests : ServerWithDingTalk
{
    [Fact]
    public async Task RenderFromAReadBeforeARejection_LandsLast_TheCardIsRecordedStale_AndTheNextPassShowsTheRejection()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        var stale = await Server.Proposals.UpdateAsync(CardState.ShowingUnknown(pending), default); // a card left behind
        var readBeforeTheTap = await StoredAsync(stale);

        var rejected = await Server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, false, Reason: "not now"), default);
        Assert.Equal(ProposalPhase.Rejected, rejected.Proposal!.Status.Phase);
        Assert.Equal("rejected", await StatusOnCardAsync(outTrackId));

        await Server.Service<CardSync>().ShowAsync(readBeforeTheTap, default); // the reconciler's render lands after the tap's
        Assert.Equal("pending", await StatusOnCardAsync(outTrackId));
        Assert.True(CardState.IsStale(await StoredAsync(pending)));

        await Tick(seconds: 31);

        Assert.Equal("rejected", await StatusOnCardAsync(outTrackId));
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.False(CardState.IsStale(await StoredAsync(pending)));
    }

    [Fact]
    public async Task RenderFromAReadThatWasNotStale_AfterTheProposalMoved_TheCardIsRecordedStale()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        var readBeforeTheTap = await StoredAsync(pending);
        Assert.False(CardState.IsStale(readBeforeTheTap));

        await Server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, false, Reason: "not now"), default);
        Assert.False(CardState.IsStale(await StoredAsync(pending)));

        // A card of several rows rendered this one from the older read, after the rejection's render.
        await Server.Service<CardSync>().RecordOtherRowsAsync([readBeforeTheTap], except: "", default);

        Assert.True(CardState.IsStale(await StoredAsync(pending)));
        await Tick(seconds: 31);
        Assert.Equal("rejected", await StatusOnCardAsync(outTrackId));
        Assert.False(CardState.IsStale(await StoredAsync(pending)));
    }

    [Fact]
    public async Task RenderRecordedWithNothingInBetween_NotStale_NoSecondRender()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        var stale = await Server.Proposals.UpdateAsync(CardState.ShowingUnknown(pending), default);

        var shown = await Server.Service<CardSync>().ShowAsync(await StoredAsync(stale), default);

        Assert.False(CardState.IsStale(shown));
        Assert.False(CardState.IsStale(await StoredAsync(pending)));
        var version = (await StoredAsync(pending)).Metadata.ResourceVersion;
        await Tick(seconds: 31);
        Assert.Equal(version, (await StoredAsync(pending)).Metadata.ResourceVersion);
        Assert.Equal("pending", await StatusOnCardAsync(outTrackId));
    }
}
