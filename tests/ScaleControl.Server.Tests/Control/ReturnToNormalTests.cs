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
/// same card, which an approval applies.
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
        await GivenAppliedHotEventAsync();
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 250);
        await TicksAsync(minutes: 16);
        var back = Assert.Single(await _server.Proposals.ListAsync("shop", default), ReturnToNormalRules.IsReturn);

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

    /// <summary>A 4 → 10 scale-up proposed under load and approved by zhangsan on its card.</summary>
    private async Task<ScaleProposal> GivenAppliedHotEventAsync(int returnToNormalAfterSeconds = ReturnToNormalRules.DefaultAfterSeconds)
    {
        _server.Workloads.Add("shop", "checkout-api", 4);
        var policy = TestPolicies.Approval(expiry: 1200);
        await _server.Policies.UpsertAsync(policy with { Spec = policy.Spec with { Approval = policy.Spec.Approval! with { ReturnToNormalAfterSeconds = returnToNormalAfterSeconds } } }, default);
        _server.Metrics.Set(TestPolicies.Query("checkout-api"), 1000); // 100 qps per pod → 10
        await TicksAsync(seconds: 5);
        var pending = Assert.Single(await _server.Proposals.ListAsync("shop", default));
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("shop", pending.Metadata.Name, "zhangsan", ApprovalChannel.DingTalk, true), default);
        Assert.Equal(10, _server.Workloads.Replicas("shop", "checkout-api"));
        Assert.Equal(4, approved.Proposal!.Spec.PreEventReplicas);
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
