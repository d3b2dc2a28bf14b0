using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// A pending proposal whose policy no longer governs its workload (retargeted, deleted, or held off it by an older
/// policy) is withdrawn by the next control-loop tick, untapped: before, its card stayed open and approvable-looking in
/// the on-call group until someone tapped it or it expired. The card (in the DingTalk emulator, real HTTP through the
/// real adapter) is updated in place, once. A policy whose decision is merely held (a freeze, missing metrics) still
/// governs its workload: its card waits. One fake clock for the server and the emulator.
/// </summary>
public sealed class UngovernedProposalTests : ServerWithDingTalk
{
    [Fact]
    public async Task PolicyRetargeted_NobodyTaps_NextTickWithdrawsTheProposal_CardUpdatedInPlace()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800); // checkout-api 4 → 10
        Server.Workloads.Add("shop", "search-api", 10); // what the policy's traffic asks for already: no card of its own
        await EditPolicyAsync(spec => spec with { Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "search-api" } });

        await Tick(seconds: 5);

        const string why = "policy checkout-api now governs Deployment/search-api, not Deployment/checkout-api";
        var stored = await StoredAsync(pending);
        Assert.Equal((ProposalPhase.Superseded, ProposalLifecycle.WithdrawnAction, ProposalLifecycle.SystemUser),
            (stored.Status.Phase, stored.Status.Supersession?.Action, stored.Status.Supersession?.By));
        Assert.Equal($"no longer needed: {why}", stored.Status.Message);
        var card = Assert.Single(await CardsAsync());
        Assert.Equal(outTrackId, card.GetProperty("outTrackId").GetString());
        Assert.Equal("No longer needed", card.GetProperty("cardData").GetProperty("statusText").GetString());
        Assert.Equal($"no longer needed: {why}; no change", card.GetProperty("cardData").GetProperty("result").GetString());
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        var withdrawn = Assert.Single(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn);
        Assert.Contains($"withdrawn by the control loop: no longer needed: {why}", withdrawn.Message, StringComparison.Ordinal);
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(Server.Workloads.Writes);
    }

    [Fact]
    public async Task PolicyRetargeted_SeveralTicks_WithdrawnOnce_CardUpdatedOnce()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        Server.Workloads.Add("shop", "search-api", 10);
        await EditPolicyAsync(spec => spec with { Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "search-api" } });
        await Tick(seconds: 5);
        var first = await StoredAsync(pending);
        var version = (await Emulator.CardAsync(outTrackId)).GetProperty("version").GetInt32();

        for (var i = 0; i < 5; i++)
        {
            await Tick(seconds: 5);
        }

        var stored = await StoredAsync(pending);
        Assert.Equal(first.Metadata.ResourceVersion, stored.Metadata.ResourceVersion);
        Assert.Single(stored.Status.History, h => h.To == ProposalPhase.Superseded);
        Assert.Single(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn);
        Assert.Equal(version, (await Emulator.CardAsync(outTrackId)).GetProperty("version").GetInt32());
        Assert.Single(await CardsAsync());
    }

    [Fact]
    public async Task OlderPolicyTakesTheWorkloadOver_NobodyTaps_NextTickWithdrawsTheHeldPolicysProposal()
    {
        // An automatic policy made first for another workload, then pointed (kubectl) at the one the approval policy asked for.
        var owner = TestPolicies.Auto("shop", "checkout-main");
        await Server.Policies.UpsertAsync(owner with { Spec = owner.Spec with { Target = new TargetRef { Name = "elsewhere" } } }, default);
        Server.Time.Advance(TimeSpan.FromMinutes(1));
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await EditPolicyAsync(spec => spec with { Target = new TargetRef { Name = "checkout-api" } }, "checkout-main");

        await Tick(seconds: 5);

        var asking = (await Server.Policies.GetAsync("shop", "checkout-api", default))!;
        Assert.Equal(TargetOwnership.ConditionType, Assert.Single(asking.Status!.Conditions).Type);
        var stored = await StoredAsync(pending);
        Assert.Equal((ProposalPhase.Superseded, ProposalLifecycle.WithdrawnAction), (stored.Status.Phase, stored.Status.Supersession?.Action));
        var why = TargetOwnership.Problem(asking, (await Server.Policies.GetAsync("shop", "checkout-main", default))!);
        Assert.Equal($"no longer needed: {why}", stored.Status.Message);
        Assert.StartsWith("Deployment shop/checkout-api is controlled by ScalePolicy shop/checkout-main", why, StringComparison.Ordinal);
        Assert.Equal(outTrackId, Assert.Single(await CardsAsync()).GetProperty("outTrackId").GetString());
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Contains(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn && e.Message.Contains("by the control loop", StringComparison.Ordinal));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task PolicyDeleted_NobodyTaps_NextTickWithdrawsTheProposal()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await Server.Policies.DeleteAsync("shop", "checkout-api", default);

        await Tick(seconds: 5);

        var stored = await StoredAsync(pending);
        Assert.Equal((ProposalPhase.Superseded, "no longer needed: policy shop/checkout-api no longer exists"), (stored.Status.Phase, stored.Status.Message));
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.Single(await CardsAsync());
    }

    [Fact]
    public async Task PolicyDeleted_ApproverTapsBeforeTheLoopRuns_ProposalWithdrawn_NotFailed()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await Server.Policies.DeleteAsync("shop", "checkout-api", default);

        var (status, tap) = await Emulator.TapAsync(outTrackId, "lisi", "approve");

        Assert.Equal(200, status);
        Assert.Equal("Not applied: no longer needed, policy shop/checkout-api no longer exists. The proposal is withdrawn.", PrivateLine(tap));
        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(pending)).Status.Phase);
        Assert.Empty(Server.Workloads.Writes);
    }

    [Fact]
    public async Task PolicySwitchedToAuto_StillGovernsTheWorkload_NextEvaluationAppliesItselfAndClosesTheCard()
    {
        var (pending, outTrackId) = await GivenPendingCardAsync(expiry: 1800);
        await EditPolicyAsync(spec => spec with { Mode = ScaleMode.Auto, Approval = null });

        await Tick(seconds: 5); // the automatic change supersedes the question (not a withdrawal: the policy still governs)
        await Tick(seconds: 5); // the card of the superseded proposal is brought up to date

        var stored = await StoredAsync(pending);
        Assert.Equal(ProposalPhase.Superseded, stored.Status.Phase);
        Assert.NotEqual(ProposalLifecycle.WithdrawnAction, stored.Status.Supersession?.Action);
        Assert.Equal(10, Server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Empty(await Emulator.ButtonsAsync(outTrackId));
        Assert.DoesNotContain(Server.Events.Recorded, e => e.Reason == ScaleEventReasons.ScaleProposalWithdrawn);
    }

    [Theory]
    [InlineData("frozen")]
    [InlineData("metrics missing")]
    public async Task HeldPolicysCardWaits_WhileARetargetedPolicysCardBesideItIsWithdrawn(string hold)
    {
        var (held, heldCard) = await GivenPendingCardAsync(expiry: 1800); // checkout-api 4 → 10
        Server.Workloads.Add("shop", "search-api", 4);
        await Server.Policies.UpsertAsync(TestPolicies.Approval(name: "search-api", expiry: 1800), default);
        Server.Metrics.Set(TestPolicies.Query("search-api"), 1000);
        await Tick();
        var moved = Assert.Single(await Server.Proposals.ListAsync("shop", default), p => p.Spec.PolicyName == "search-api");
        Server.Workloads.Add("shop", "orders-api", 10);
        await EditPolicyAsync(spec => spec with { Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = "orders-api" } }, "search-api");
        if (hold == "frozen")
        {
            await EditPolicyAsync(spec => spec with { Freeze = new FreezeSpec { Until = Server.Time.GetUtcNow().AddHours(1), Reason = "incident", By = "zhangsan" } });
        }
        else
        {
            Server.Metrics.Down = "connection refused";
        }

        for (var i = 0; i < 12; i++)
        {
            await Tick(seconds: 5); // a minute: past the amend interval; a held decision is no "no change"
        }

        Assert.Equal(ProposalPhase.Superseded, (await StoredAsync(moved)).Status.Phase);
        Assert.Equal(ProposalPhase.Pending, (await StoredAsync(held)).Status.Phase);
        Assert.NotEmpty(await Emulator.ButtonsAsync(heldCard));
        Assert.Equal(4, Server.Workloads.Replicas("shop", "checkout-api"));
    }
}
