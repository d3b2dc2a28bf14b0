using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The workload is deleted (kubectl delete deployment) while its card waits, and an approver taps Approve before the
/// loop notices. Nothing is created or scaled, the proposal fails naming the workload, and the card says so once: it
/// read "failed: failed: Deployment shop/checkout-api not found". Real HTTP and Stream through the emulator.
/// </summary>
public sealed class DeletedWorkloadTapTests : ServerWithDingTalk
{
    [Fact]
    public async Task WorkloadDeletedBeforeTheTap_TheProposalFails_TheCardSaysWhyOnce()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        Server.Workloads.Remove("shop", "checkout-api");

        await Emulator.TapAsync(outTrackId, "zhangsan", "approve");
        await Server.Service<BackgroundApplies>().StopAsync(default);
        await Tick(seconds: 5);

        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Failed, stored.Status.Phase);
        Assert.Empty(Server.Workloads.Writes);
        var card = await CardDataAsync(outTrackId);
        Assert.Equal("failed", card.GetProperty("status").GetString());
        Assert.Equal("failed: Deployment shop/checkout-api not found", card.GetProperty("result").GetString());
        Assert.DoesNotContain("approve", await Emulator.ButtonsAsync(outTrackId));
    }
}
