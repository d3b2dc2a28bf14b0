using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Proposals;
using ScaleControl.Sandbox.DingTalk.Platform;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The storm walkthrough with DingTalk degraded (docs/reliability.md): cards throttled at their creation, card updates
/// failing for minutes. The cards live in the DingTalk emulator (real HTTP, the real adapter), its fault script making
/// the calls fail; one fake clock for the server and the emulator. No retries inside a call: a retry would wait on the
/// fake clock, which no tick advances, and each failing call is then one call the emulator counts.
/// </summary>
public sealed class DegradedDingTalkCardTests : ServerWithDingTalk
{
    private const string CardUpdate = "/v1.0/card/instances";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Server.Settings["ScaleControl:DingTalk:MaxRetryAttempts"] = "0";
    }

    [Fact]
    public async Task GroupRowsThrottledAtCreation_DingTalkBack_OneCardShowsEveryRow()
    {
        // Live: the feed chain's three rows, each throttled when made, were delivered later as three one-row cards.
        Faults.Arm(new FaultRule("/v1.0/card/instances/createAndDeliver", FaultKind.QpsLimit, Times: -1));
        await Server.AddUnderLoadAsync("feed", GroupCardChain.Services);
        await Tick();
        var rows = await Server.OpenAsync("feed");
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r.Status.Card?.Error));

        Faults.Clear();
        await Tick(seconds: 31);

        var card = Assert.Single(await AllCardsAsync());
        var outTrackId = card.GetProperty("outTrackId").GetString();
        Assert.Contains("3 services", card.GetProperty("cardData").GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.All(await Server.OpenAsync("feed"), r =>
        {
            Assert.Equal((outTrackId, null), (r.Status.Card?.OutTrackId, r.Status.Card?.Error));
            Assert.Equal(CardState.Of(r), r.Status.Card!.ShownState);
        });
        Assert.Single((await Server.OpenAsync("feed")).Select(r => r.Spec.ExpiresAt).Distinct()); // one expiry, one DING

        await Tick(seconds: 31);
        Assert.Single(await AllCardsAsync());
    }

    [Fact]
    public async Task CardUpdatesFailing_TheRepairsRestAfterAFailedCall_EachCardTriedEvery30s_AllShownWhenDingTalkIsBack()
    {
        // Live: ten cards to deliver or update, each call ~4 s of retries, and the loop ticked every 16-20 s instead of
        // every second. Now a failed call ends the pass and the repairs rest 5 s; each card is tried again after 30 s.
        string[] names = ["checkout-api", "cart-api", "search-api"];
        foreach (var name in names)
        {
            Server.Workloads.Add("shop", name, 4);
            await Server.Policies.UpsertAsync(TestPolicies.Approval("shop", name), default);
            Server.Metrics.Set(TestPolicies.Query(name), 1000);
        }

        await Tick();
        var asked = await Server.Proposals.ListAsync("shop", default);
        Assert.Equal(3, (await AllCardsAsync()).Length);
        var updates = Faults.Arm(new FaultRule(CardUpdate, FaultKind.SystemBusy, Times: 1000));

        await Tick(seconds: 601); // all three expire: three stale cards
        Assert.Equal(1, UsedOf(updates));
        await Tick(seconds: 1);
        Assert.Equal(1, UsedOf(updates)); // resting
        await Tick(seconds: 5);
        Assert.Equal(2, UsedOf(updates)); // the next card, not the one that just failed
        await Tick(seconds: 5);
        Assert.Equal(3, UsedOf(updates));
        await Tick(seconds: 5);
        Assert.Equal(3, UsedOf(updates)); // every card failed less than 30 s ago

        Faults.Clear();
        await Tick(seconds: 31);
        foreach (var proposal in await Task.WhenAll(asked.Select(StoredAsync)))
        {
            Assert.Equal(ProposalPhase.Expired, proposal.Status.Phase);
            Assert.Equal(CardState.Of(proposal), proposal.Status.Card!.ShownState);
            Assert.Equal("expired", await StatusOnCardAsync(proposal.Status.Card.OutTrackId));
        }

        var cards = (await AllCardsAsync()).Select(c => c.GetProperty("outTrackId").GetString()).ToList();
        Assert.All(asked, p => Assert.Single(cards, c => c == p.Status.Card!.OutTrackId)); // updated, not posted again
    }

    [Fact]
    public async Task CardThrottledAtCreation_StatusAndMetricsNameTheProposalNobodySaw_UntilItsCardArrives()
    {
        // Live: with every card throttled for minutes, status and /readyz said nothing and the proposals waited unseen.
        Faults.Arm(new FaultRule("/v1.0/card/instances/createAndDeliver", FaultKind.QpsLimit, Times: -1));
        Server.Workloads.Add("shop", "checkout-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(), default);
        Server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000);
        await Tick();
        var pending = Assert.Single(await Server.OpenAsync("shop"));

        var unseen = Assert.Single((await Server.Service<StatusService>().GetAsync(default)).Unseen!);
        Assert.Equal(("shop", pending.Metadata.Name, "shop/checkout-api"), (unseen.Namespace, unseen.Name, unseen.Workload));
        Assert.StartsWith($"4 → 10 ({pending.Metadata.Name}), expires ", unseen.Line, StringComparison.Ordinal);
        Assert.Contains("its card was not delivered (DingTalk API error 403 Forbidden.AccessDenied.QpsLimit", unseen.Line, StringComparison.Ordinal);
        Assert.EndsWith($"decide with scalectl approve|reject shop/{pending.Metadata.Name}", unseen.Line, StringComparison.Ordinal);
        await Tick(seconds: 1); // the gauge is read at the start of a tick, before this one's proposals are made
        using var client = Server.ClientWith(null);
        Assert.Contains("scalecontrol_unseen_proposals 1", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        Faults.Clear();
        await Tick(seconds: 31);
        await Tick(seconds: 1);
        Assert.Empty((await Server.Service<StatusService>().GetAsync(default)).Unseen!);
        Assert.Contains("scalecontrol_unseen_proposals 0", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    private FaultInjector Faults => Emulator.Service<FaultInjector>();

    /// <summary>How many calls the fault answered: its remaining uses went down by one each.</summary>
    private int UsedOf(FaultRule armed) =>
        armed.Times - (Faults.Rules.SingleOrDefault(r => r.Api == armed.Api && r.Kind == armed.Kind)?.Times ?? 0);

    private async Task<JsonElement[]> AllCardsAsync() =>
        (await Emulator.Script.GetFromJsonAsync<JsonElement[]>("cards"))!
            .Where(c => c.GetProperty("outTrackId").GetString()!.StartsWith("fault.", StringComparison.Ordinal) is false).ToArray();
}
