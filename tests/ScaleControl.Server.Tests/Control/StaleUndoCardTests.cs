using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An applied card's Undo stops being offered once it no longer means what the card says: the workload moved on (a pin,
/// another change, a scale by hand) or the undo window ended. The card, sent to the DingTalk emulator over real HTTP and
/// tapped over Stream, loses the button and says why; the proposal records it; a tap from a phone that still shows the
/// old card is refused privately. One fake clock for the server and the emulator.
/// </summary>
public sealed class StaleUndoCardTests : ServerWithDingTalk
{
    [Fact]
    public async Task APinMovedTheWorkload_OldCardsUndoRefused_ThenTheCardDropsUndoAndSaysWhy()
    {
        var (applied, outTrackId) = await GivenAppliedCardAsync(); // 4 → 10 approved by zhangsan at 10:00:00
        Server.Time.Advance(TimeSpan.FromMinutes(14));
        using (var lisi = Server.ClientWith(LisiToken))
        {
            using var pinned = await lisi.PostAsJsonAsync("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 12, durationSeconds = 1800, reason = "gala" });
            pinned.EnsureSuccessStatusCode();
        }

        Assert.Equal(12, Server.Workloads.Replicas("shop", "checkout-api"));
        var writes = Server.Workloads.Writes.Count;

        // Before the loop has seen the pin, a phone shows the old card: its Undo is re-checked and refused privately.
        var (status, tap) = await Emulator.TapAsync(outTrackId, "zhangsan", "undo");
        Assert.Equal(200, status);
        Assert.Contains("the workload has moved on since: shop/checkout-api moved to 12 by a pin by lisi at 10:14:00 UTC", PrivateLine(tap), StringComparison.Ordinal);
        Assert.Equal(writes, Server.Workloads.Writes.Count);
        Assert.Equal(12, Server.Workloads.Replicas("shop", "checkout-api"));

        await Tick(seconds: 5);

        // The card itself: no Undo any more, and a line that says why.
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Contains("Undo no longer offered: shop/checkout-api moved to 12 by a pin by Li Si at 10:14:00 UTC", await ResultAsync(outTrackId), StringComparison.Ordinal);
        Assert.Equal(409, (await Emulator.TapAsync(outTrackId, "zhangsan", "undo")).Status); // the emulator shows no button to tap

        // Recorded on the proposal: what scalectl describe and the dashboard read.
        var view = await ProposalViewAsync(applied);
        Assert.Equal("NewerChange", view.GetProperty("undoWithdrawn").GetProperty("cause").GetString());
        Assert.Equal("shop/checkout-api moved to 12 by a pin by lisi at 10:14:00 UTC", view.GetProperty("undoWithdrawn").GetProperty("message").GetString());
        Assert.Equal("undo no longer offered: shop/checkout-api moved to 12 by a pin by lisi at 10:14:00 UTC", view.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ScaledByHand_TheCardSaysItMovedOutsideScaleControl()
    {
        var (_, outTrackId) = await GivenAppliedCardAsync();
        Server.Time.Advance(TimeSpan.FromMinutes(3));
        Server.Workloads.Add("shop", "checkout-api", 16); // kubectl scale, behind ScaleControl's back

        await Tick(seconds: 5);

        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Contains("Undo no longer offered: shop/checkout-api moved to 16 outside ScaleControl (kubectl scale, an HPA or another controller), seen at 10:03:05 UTC",
            await ResultAsync(outTrackId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UndoWindowEnded_TheCardDropsUndo_UntilThenItStays()
    {
        var (applied, outTrackId) = await GivenAppliedCardAsync();

        await Tick(seconds: 7195); // 11:59:55: still offered
        Assert.Equal(["undo"], await Emulator.ButtonsAsync(outTrackId));
        await Tick(seconds: 10);

        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Contains("Undo no longer offered: the undo window ended at 12:00:00 UTC", await ResultAsync(outTrackId), StringComparison.Ordinal);
        Assert.Equal("WindowEnded", (await ProposalViewAsync(applied)).GetProperty("undoWithdrawn").GetProperty("cause").GetString());
    }

    /// <summary>A 4 → 10 scale-up proposed under load, its card in the emulator's group, approved by zhangsan: the card offers Undo.</summary>
    private async Task<(ScaleProposal Applied, string OutTrackId)> GivenAppliedCardAsync()
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000); // 100 qps per pod → 10
        await Tick();
        var pending = Assert.Single(await Server.Proposals.ListAsync("shop", default));
        var approved = await Server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);
        Assert.Equal(ProposalPhase.Applied, approved.Proposal!.Status.Phase);
        var outTrackId = approved.Proposal.Status.Card!.OutTrackId;
        Assert.Equal(["undo"], await Emulator.ButtonsAsync(outTrackId));
        await Emulator.WaitForStreamAsync();
        return (approved.Proposal, outTrackId);
    }

    private async Task<string> ResultAsync(string outTrackId) =>
        (await Emulator.CardAsync(outTrackId)).GetProperty("cardData").GetProperty("result").GetString()!;

    private async Task<JsonElement> ProposalViewAsync(ScaleProposal proposal)
    {
        using var viewer = Server.ClientWith(ViewerToken);
        return (await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/proposals/shop/{proposal.Metadata.Name}")).GetProperty("status");
    }
}
