using System.Net;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// zhangsan taps Approve on the card while lisi rejects the same proposal with the API, at the same moment (a phone in
/// one hand, scalectl in the other's). Whichever is recorded first wins, the other is told who decided, nothing is
/// applied twice or after a "no", and the card ends showing the winner. Real HTTP and Stream through the emulator; each
/// order is forced once, and at once the winner is left to the race and the same invariants are checked either way.
/// </summary>
public sealed class ApproveRejectRaceTests : ServerWithDingTalk
{
    [Theory]
    [InlineData("tap first")]
    [InlineData("reject first")]
    [InlineData("at once")]
    public async Task TapApproveAndApiReject_OneWins_TheLoserIsToldWhoDecided_TheCardShowsTheWinner(string order)
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(); // 4 → 10, roster zhangsan, lisi
        using var lisi = Server.ClientWith(LisiToken);
        Task<(int, JsonElement)> Tap() => Emulator.TapAsync(outTrackId, "zhangsan", "approve");
        Task<HttpResponseMessage> Reject() => lisi.PostJson($"/api/v1/proposals/shop/{pending.Metadata.Name}/reject", new { reason = "not during the freeze window" });

        Task<(int, JsonElement)> tap;
        Task<HttpResponseMessage> reject;
        switch (order)
        {
            case "tap first":
                tap = Tap();
                await tap;
                reject = Reject();
                break;
            case "reject first":
                reject = Reject();
                await reject;
                tap = Tap();
                break;
            default:
                tap = Tap();
                reject = Reject();
                break;
        }

        await Task.WhenAll(tap, reject);
        await Server.Service<BackgroundApplies>().StopAsync(default);
        await Tick(); // the card is brought up to date at the end of a tick

        using var rejected = await reject;
        var (tapStatus, tapped) = await tap;
        // A card already updated to the decision shows no Approve: the phone has nothing to tap (the emulator's 409).
        var answer = tapStatus == 409 ? null : PrivateLine(tapped);
        var stored = await StoredAsync(pending);
        var card = await CardDataAsync(outTrackId);
        Assert.Equal(order switch { "tap first" => ProposalPhase.Applied, "reject first" => ProposalPhase.Rejected, _ => stored.Status.Phase }, stored.Status.Phase);
        if (stored.Status.Phase == ProposalPhase.Rejected)
        {
            Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
            Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
            Assert.Empty(Server.Workloads.Writes);
            if (answer is not null)
            {
                Assert.Equal("cannot approve: the proposal is already Rejected (rejected by lisi)", answer);
            }

            Assert.Equal("rejected", card.GetProperty("status").GetString());
            Assert.Equal("Li Si", card.GetProperty("decidedBy").GetString());
        }
        else
        {
            Assert.Equal(ProposalPhase.Applied, stored.Status.Phase);
            Assert.Equal(HttpStatusCode.Conflict, rejected.StatusCode);
            Assert.Contains("zhangsan", (await rejected.ReadJson()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("Recorded: approved by zhangsan (10 replicas); scaling now", answer);
            Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
            Assert.Single(Server.Workloads.Writes);
            Assert.Equal("applied", card.GetProperty("status").GetString());
            Assert.Null(stored.Status.Rejection);
        }

        Assert.DoesNotContain("approve", await Emulator.ButtonsAsync(outTrackId));
    }
}
