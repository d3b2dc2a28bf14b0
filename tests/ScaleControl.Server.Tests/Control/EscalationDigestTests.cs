using ScaleControl.Core.Policies;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The cards whose escalation falls due in one maintenance pass and that go to the same people are one DING naming
/// them all (in a storm with dingType Call, one phone call, not one per card); other people get a DING of their own.
/// </summary>
public sealed class EscalationDigestTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task FourCardsDueInOnePass_TwoSetsOfPeople_TwoDingsEachNamingItsCards()
    {
        await Given("checkout-api");
        await Given("cart-api");
        await Given("search-api", receivers: ["wangwu"]);
        await Given("feed-api", receivers: ["wangwu"]);
        await Tick();
        Assert.Equal(4, _server.Cards.Sent.Count);

        await Tick(seconds: 125);

        var dings = _server.Cards.EscalatedRows.Select(rows => rows.Select(r => r.Spec.Target.Name).Order().ToList()).ToList();
        Assert.Equal(2, dings.Count);
        Assert.Contains(["cart-api", "checkout-api"], dings);
        Assert.Contains(["feed-api", "search-api"], dings);
        Assert.Equal([["lisi", "zhangsan"], ["wangwu"]], _server.Cards.EscalatedTo.Select(to => to.Order().ToList()).OrderBy(to => to[0]));
        // Each row holds the record of the DING that named it: the same record for the cards of one DING.
        var open = await Open();
        Assert.All(open, p => Assert.Single(p.Status.Escalations));
        Assert.All(open, p => Assert.Equal(p.Spec.Target.Name is "checkout-api" or "cart-api" ? ["zhangsan", "lisi"] : ["wangwu"], p.Status.Escalations[0].Receivers));

        await Tick(seconds: 5);
        Assert.Equal(2, _server.Cards.EscalatedRows.Count);
    }

    [Fact]
    public async Task DingThrottled_NothingRecorded_TheNextPassSendsTheWholeBatchAsOneDing()
    {
        await Given("checkout-api");
        await Given("cart-api");
        await Given("search-api");
        await Tick();
        _server.Cards.BusyEscalations = 1;

        await Tick(seconds: 125);
        Assert.Empty(_server.Cards.EscalatedRows);
        Assert.All(await Open(), p => Assert.Empty(p.Status.Escalations));

        await Tick(seconds: 5);
        Assert.Equal(3, Assert.Single(_server.Cards.EscalatedRows).Count);
        Assert.All(await Open(), p => Assert.Single(p.Status.Escalations));
    }

    [Fact]
    public async Task ACardDueOnePassLater_IsADingOfItsOwn_NothingHeldBackToWaitForIt()
    {
        await Given("checkout-api");
        await Tick();
        await Given("cart-api");
        await Tick(seconds: 5);

        await Tick(seconds: 115); // checkout-api's card is due (120 s after its post), cart-api's in 5 s
        Assert.Equal(["checkout-api"], Assert.Single(_server.Cards.EscalatedRows).Select(r => r.Spec.Target.Name));

        await Tick(seconds: 5);
        Assert.Equal(["cart-api"], _server.Cards.EscalatedRows.Last().Select(r => r.Spec.Target.Name));
        Assert.Equal(2, _server.Cards.EscalatedRows.Count);
    }

    private async Task Given(string name, IReadOnlyList<string>? receivers = null)
    {
        var policy = TestPolicies.Approval("shop", name);
        var approval = policy.Spec.Approval!;
        _server.Workloads.Add("shop", name, 4);
        await _server.Policies.UpsertAsync(policy with
        {
            Spec = policy.Spec with { Approval = approval with { Escalation = approval.Escalation! with { Receivers = receivers ?? [] } } },
        }, default);
        _server.Metrics.Set(TestPolicies.Query(name), 1000);
    }

    private async Task<List<ScaleProposal>> Open() =>
        [.. (await _server.Proposals.ListAsync("shop", default)).Where(p => p.Status.Phase == ProposalPhase.Pending)];

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
