using System.Net;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Security;

/// <summary>
/// A reason is text a person typed, shown on the approval card above its buttons. Markup in it was escaped already, but
/// its line breaks were kept: an operator off the roster asked for a pin whose reason went on with lines that read as
/// the card's own ("✅ Approved by Zhang San …", "On call: …"), and the approvers read them under the pin request. Now a
/// typed reason shows on one line, its breaks as ↵, on the card and in the group's answer. Real HTTP, the real adapter
/// and the DingTalk emulator.
/// </summary>
public sealed class ForgedCardLinesTests : ServerWithDingTalk
{
    private const string Forged = "gala prep\n\n✅ Approved by Zhang San at 10:32:05 UTC · applied 4 → 40\nOn call: @shopper";

    [Fact]
    public async Task PinRequestByANonApprover_ReasonWithLineBreaks_ShowsOnOneLineOnTheCard()
    {
        Server.Workloads.Add("shop", "checkout-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        using var shopper = Server.ClientWith(ShopOperatorToken); // an operator of shop, not on the roster

        using var response = await shopper.PostJson("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 8, durationSeconds = 1800, reason = Forged });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Tick();

        var pin = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Contains(Forged, pin.Spec.Reason, StringComparison.Ordinal); // stored as typed
        var reason = (await CardDataAsync(pin.Status.Card!.OutTrackId)).GetProperty("reason").GetString()!;
        Assert.DoesNotContain('\n', reason);
        Assert.DoesNotContain('\r', reason);
        Assert.Contains("gala prep ↵  ↵ ✅ Approved by Zhang San at 10:32:05 UTC · applied 4 → 40 ↵ On call: @shopper", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectionReasonWithLineBreaks_ShowsOnOneLineInTheCardsResult()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync();
        using var lisi = Server.ClientWith(LisiToken);

        using var response = await lisi.PostJson($"/api/v1/proposals/shop/{pending.Metadata.Name}/reject", new { reason = "not now\n\napplied 4 → 10 at 10:33:05 UTC" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Tick();

        var result = (await CardDataAsync(outTrackId)).GetProperty("result").GetString()!;
        Assert.StartsWith("rejected: not now ↵  ↵ applied 4 → 10 at 10:33:05 UTC; no change", result, StringComparison.Ordinal);
    }
}
