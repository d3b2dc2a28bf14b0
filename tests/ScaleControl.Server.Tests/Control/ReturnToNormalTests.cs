using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Control.Queries;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The way back through the loop on a fake clock: after a 4 → 10 hot event approved on its card, the traffic falls
/// under the pre-event level; the loop proposes nothing step by step, then one "return to normal: 10 → 4" on the
/// same card, which an approval applies; while it waits, traffic that comes back moves it up or withdraws it.
/// </summary>
public sealed class ReturnToNormalTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task AfterTheEvent_OneReturnOnTheEventsCard_NotBeforeTheQuietPeriod_ApprovalRestoresThePreEventCount()
    {
        var scaleUp = await GivenAppliedHotEventAsync();
        var cardsSent = _server.Cards.Sent.Count;
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 350); // demand sized at 4 (3.5 pods' worth): back to the pre-event level

        // 14 minutes of quiet: no scale-down card, no step; the policy says when the way back comes.
        await TicksAsync(minutes: 14);
        Assert.DoesNotContain(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Contains("one return-to-normal proposal at", (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Status!.LastReason, StringComparison.Ordinal);

        // Past 15 minutes: one return proposal, a row on the event's card (no new card), and it stays one.
        await TicksAsync(minutes: 12);
        var back = Assert.Single(await _server.Proposals.ListAsync("shop", default), ReturnToNormalRules.IsReturn);
        Assert.Equal((10, 4, ProposalPhase.Pending), (back.Spec.FromReplicas, back.Spec.ToReplicas, back.Status.Phase));
        Assert.StartsWith("return to normal: 10 → pre-event 4", back.Spec.Reason, StringComparison.Ordinal);
        Assert.Equal(scaleUp.Status.Card!.OutTrackId, back.Status.Card!.OutTrackId);
        Assert.Empty(back.Status.Amendments);
        Assert.Equal(cardsSent, _server.Cards.Sent.Count);
        Assert.Contains(_server.Cards.GroupUpdates, rows => rows.Select(r => r.Metadata.Name).SequenceEqual([scaleUp.Metadata.Name, back.Metadata.Name]));
        Assert.Empty(_server.Cards.Escalations);

        // "Approve all" on the event's card decides the waiting row: back to 4, recorded with who and how.
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", scaleUp.Metadata.Name, "lisi", ApprovalChannel.DingTalk, true, AllRows: true), default);
        Assert.Equal(ApprovalResultKind.Accepted, approved.Kind);
        Assert.Equal(4, _server.Workloads.Replicas("shop", "checkout-api"));
        var history = await _server.Service<HistoryService>().ListAsync("shop", _server.Time.GetUtcNow().AddHours(-2), _server.Time.GetUtcNow(), default);
        Assert.Contains(history, e => e.Kind == HistoryKind.Applied && e.Proposal == back.Metadata.Name && e.By == "lisi" && e.Channel == "DingTalk" && e.To == 4);

        // The event is over and the demand fits what runs: nothing more is proposed.
        await TicksAsync(minutes: 20);
        Assert.Single(await _server.Proposals.ListAsync("shop", default), ReturnToNormalRules.IsReturn);
        Assert.DoesNotContain(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
    }

    [Fact]
    public async Task ReturnRejected_NotAskedAgainWithinTheBackoff_ThenOnce()
    {
        var back = await GivenPendingReturnAsync(quietLoad: 250);

        var rejected = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", back.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, false, Reason: "keep it warm tonight"), default);
        Assert.Equal(ApprovalResultKind.Accepted, rejected.Kind);

        await TicksAsync(minutes: 29); // the back-off is 30 minutes
        Assert.Single(await _server.Proposals.ListAsync("shop", default), ReturnToNormalRules.IsReturn);
        Assert.Contains("zhangsan refused 10 → 4", (await _server.Policies.GetAsync("shop", "checkout-api", default))!.Status!.LastReason, StringComparison.Ordinal);

        await TicksAsync(minutes: 2);
        Assert.Equal(2, (await _server.Proposals.ListAsync("shop", default)).Count(ReturnToNormalRules.IsReturn));
        Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
    }

    [Fact]
    public async Task Off_WithZero_ScaleDownsAreProposedAsTheDemandFalls()
    {
        await GivenAppliedHotEventAsync(returnToNormalAfterSeconds: 0);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 250);

        await TicksAsync(minutes: 7); // the scale-down stabilization window is 5 minutes

        var down = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.False(ReturnToNormalRules.IsReturn(down));
        Assert.Equal((10, 3), (down.Spec.FromReplicas, down.Spec.ToReplicas));
    }

    [Fact]
    public async Task Group_EachServicesReturnJoinsTheGroupsCard_OneApproveAllRestoresThemAll()
    {
        string[] chain = ["gateway", "comments"];
        foreach (var name in chain)
        {
            _server.Workloads.Add("feed", name, 4);
            var policy = TestPolicies.Approval("feed", name, expiry: 1200);
            await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Group = "feed-chain" } }, default);
            _server.Metrics.Set(TestPolicies.Query(name), 1000);
        }

        await TicksAsync(seconds: 5);
        var lead = (await _server.Proposals.ListAsync("feed", default)).OrderBy(ProposalFactory.CreatedAt).First();
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("feed", lead.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true, AllRows: true), default);
        Assert.Equal(ApprovalResultKind.Accepted, approved.Kind);
        Assert.All(chain, name => Assert.Equal(10, _server.Workloads.Replicas("feed", name)));
        var cardsSent = _server.Cards.Sent.Count;

        foreach (var name in chain)
        {
            _server.Metrics.Set(TestPolicies.Query(name), 350);
        }

        await TicksAsync(minutes: 16);
        var returns = (await _server.Proposals.ListAsync("feed", default)).Where(ReturnToNormalRules.IsReturn).ToList();
        Assert.Equal(chain.Order(), returns.Select(r => r.Spec.Target.Name).Order());
        Assert.All(returns, r => Assert.Equal((lead.Status.Card!.OutTrackId, 10, 4), (r.Status.Card!.OutTrackId, r.Spec.FromReplicas, r.Spec.ToReplicas)));
        Assert.Equal(cardsSent, _server.Cards.Sent.Count);

        await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("feed", lead.Metadata.Name, "lisi", ApprovalChannel.DingTalk, true, AllRows: true), default);
        Assert.All(chain, name => Assert.Equal(4, _server.Workloads.Replicas("feed", name)));
    }

    [Fact]
    public async Task TrafficBackPartWay_TheReturnIsAmendedUpOnItsCardNextTick_AStaleTapAppliesTheAmendedTarget()
    {
        var back = await GivenPendingReturnAsync(quietLoad: 350);
        Assert.Equal((10, 4), (back.Spec.FromReplicas, back.Spec.ToReplicas));
        var cardsSent = _server.Cards.Sent.Count;
        _server.Cards.GroupUpdates.Clear();

        // The traffic comes back to 7 pods' worth: more than the 4 on the card, less than the 10 running.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 650);
        await TicksAsync(seconds: 5);

        var amended = (await _server.Proposals.GetAsync("shop", back.Metadata.Name, default))!;
        Assert.Equal((ProposalPhase.Pending, 10, 7), (amended.Status.Phase, amended.Spec.FromReplicas, amended.Spec.ToReplicas));
        var amendment = Assert.Single(amended.Status.Amendments);
        Assert.Equal((4, 7), (amendment.FromTarget, amendment.ToTarget));
        Assert.StartsWith("return to normal: 10 → 7; the demand came back to 7 replicas", amended.Spec.Reason, StringComparison.Ordinal);
        Assert.Equal(back.Status.Card!.OutTrackId, amended.Status.Card!.OutTrackId);
        Assert.Equal(cardsSent, _server.Cards.Sent.Count); // the same card, updated in place
        Assert.Contains(_server.Cards.GroupUpdates, rows => rows.Any(r => r.Metadata.Name == back.Metadata.Name && r.Spec.ToReplicas == 7));

        // An approver whose phone still shows 10 → 4 taps it: the way back stops at what the demand needs now.
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(
            new ApprovalCommand("shop", back.Metadata.Name, "lisi", ApprovalChannel.DingTalk, true, Replicas: 4), default);
        Assert.Equal(ApprovalResultKind.Accepted, approved.Kind);
        Assert.Equal(7, _server.Workloads.Replicas("shop", "checkout-api"));

        // Nothing to scale back up: no card asks for it.
        await TicksAsync(minutes: 5);
        Assert.DoesNotContain(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal(7, _server.Workloads.Replicas("shop", "checkout-api"));
    }

    [Fact]
    public async Task TrafficBackAtTheRunningCount_TheReturnIsWithdrawnWithWhy_ThenARiseIsProposedAsAScaleUp()
    {
        var back = await GivenPendingReturnAsync(quietLoad: 350);

        // 9.5 pods' worth: within the tolerance of the 10 running, so the engine asks no scale-up, and no way back is left.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 950);
        await TicksAsync(seconds: 5);

        var withdrawn = (await _server.Proposals.GetAsync("shop", back.Metadata.Name, default))!;
        Assert.Equal(ProposalPhase.Superseded, withdrawn.Status.Phase);
        Assert.Equal(ProposalLifecycle.WithdrawnAction, withdrawn.Status.Supersession!.Action);
        Assert.Equal("no longer needed: the demand came back to 10 replicas, at or above the running 10: no way back for now", withdrawn.Status.Message);
        Assert.Contains(_server.Cards.GroupUpdates, rows => rows.Any(r => r.Metadata.Name == back.Metadata.Name && r.Status.Phase == ProposalPhase.Superseded));
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));

        // Beyond the running count the event goes on: a scale-up card, as before.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1500);
        await TicksAsync(seconds: 5);
        var up = Assert.Single(await _server.Proposals.ListAsync("shop", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((10, 15), (up.Spec.FromReplicas, up.Spec.ToReplicas));
    }

    [Fact]
    public async Task NoiseWithinTheTolerance_NoAmendmentOverManyTicks_ARealComebackAmendsOnce()
    {
        var back = await GivenPendingReturnAsync(quietLoad: 1800, preEvent: 20, load: 5000);
        Assert.Equal((50, 20), (back.Spec.FromReplicas, back.Spec.ToReplicas));

        // Ten minutes of noise around the pre-event 20: up to 22 pods' worth, within the 10 % tolerance of the target.
        double[] noise = [1950, 2150, 2200, 1900, 2080, 2190];
        for (var i = 0; i < 120; i++)
        {
            _server.Metrics.Set(TestPolicies.Query("checkout-api"), noise[i % noise.Length]);
            await TicksAsync(seconds: 5);
        }

        var quiet = (await _server.Proposals.GetAsync("shop", back.Metadata.Name, default))!;
        Assert.Equal((ProposalPhase.Pending, 20), (quiet.Status.Phase, quiet.Spec.ToReplicas));
        Assert.Empty(quiet.Status.Amendments);

        // A real comeback moves it, once.
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 3000);
        await TicksAsync(minutes: 2);
        var amended = (await _server.Proposals.GetAsync("shop", back.Metadata.Name, default))!;
        Assert.Equal(30, Assert.Single(amended.Status.Amendments).ToTarget);
    }

    /// <summary>The hot event of <see cref="GivenAppliedHotEventAsync"/>, then 16 minutes at <paramref name="quietLoad"/>: its one return to normal, pending.</summary>
    private async Task<ScaleProposal> GivenPendingReturnAsync(double quietLoad, int preEvent = 4, int load = 1000)
    {
        await GivenAppliedHotEventAsync(preEvent: preEvent, load: load);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), quietLoad);
        await TicksAsync(minutes: 16);
        return Assert.Single(await _server.Proposals.ListAsync("shop", default), ReturnToNormalRules.IsReturn);
    }

    /// <summary>A <paramref name="preEvent"/> → load/100 scale-up proposed under load and approved by zhangsan on its card.</summary>
    private async Task<ScaleProposal> GivenAppliedHotEventAsync(int returnToNormalAfterSeconds = ReturnToNormalRules.DefaultAfterSeconds, int preEvent = 4, int load = 1000)
    {
        _server.Workloads.Add("shop", "checkout-api", preEvent);
        var policy = TestPolicies.Approval(expiry: 1200);
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { ReturnToNormalAfterSeconds = returnToNormalAfterSeconds } } }, default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), load); // 100 qps per pod
        await TicksAsync(seconds: 5);
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);
        Assert.Equal(load / 100, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(preEvent, approved.Proposal!.Spec.PreEventReplicas);
        return approved.Proposal;
    }

    /// <summary>Evaluations every 5 s of fake time for the given span.</summary>
    private async Task TicksAsync(int minutes = 0, int seconds = 0)
    {
        for (var left = (minutes * 60) + seconds; left > 0; left -= 5)
        {
            _server.Time.Advance(TimeSpan.FromSeconds(5));
            await _server.Service<Reconciler>().TickAsync(default);
        }
    }
}
