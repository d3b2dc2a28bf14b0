using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An HPA owns the workload with its own minReplicas 4; the policy's minimum is 2 and the demand needs 3. ScaleControl
/// cannot go below the HPA's floor, so the decision holds and says why (the engine's rule, DecisionEngineHpaFloorTests). Before, every evaluation after the scale-down window
/// made an "applied 4 → 4" proposal, an Event and a "scaled automatically 4 → 3" notice (the seeded feed-service
/// spammed the on-call group every 5 s below 300 qps). The same for an HPA that keeps more than its own minimum once
/// ScaleControl's floor is restored: no proposal, since the write would change nothing; through a floor ScaleControl
/// raised the scale-down still goes.
/// </summary>
public sealed class HpaFloorLoopTests : IDisposable
{
    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Tick_DemandBelowTheHpasOwnMinimum_HoldsAtItWithoutProposalsOrNotices()
    {
        _server.Workloads.Add("video", "video-transcoder", 4, hpa: new HpaInfo("video-transcoder", MinReplicas: 4, MaxReplicas: 30, OriginalMinReplicas: null));
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 250);

        await TicksAsync(80); // 400 s: past the 300 s scale-down window

        Assert.Empty(await _server.Proposals.ListAsync("video", default));
        Assert.Empty(_server.Notices.Published);
        Assert.Equal(4, _server.Workloads.Replicas("video", "video-transcoder"));
        var status = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!;
        Assert.Contains("HPA video-transcoder owns the workload and its own minReplicas is 4", status.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_FloorRaisedByScaleControl_IsStillRestoredToTheHpasOwn()
    {
        _server.Workloads.Add("video", "video-transcoder", 10, hpa: new HpaInfo("video-transcoder", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: 4));
        await _server.Policies.UpsertAsync(TestPolicies.Auto(), default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 250);

        await TicksAsync(80);

        Assert.Equal(4, _server.Workloads.Replicas("video", "video-transcoder"));
        var proposals = await _server.Proposals.ListAsync("video", default);
        Assert.NotEmpty(proposals);
        Assert.All(proposals, p => Assert.True(p.Spec.ToReplicas >= 4, $"asked {p.Spec.ToReplicas}, below the HPA's own minimum 4")); // never the 3 the demand needs
        Assert.Equal(new HpaInfo("video-transcoder", 4, 30, null), _server.Workloads.Hpa("video", "video-transcoder"));
    }

    [Fact]
    public async Task Tick_OwnMinimumRestored_HpaKeepsMore_NoProposalNoCardNoNotice()
    {
        // The sandbox's feed-service (Hybrid) after `scalectl prepare … --expect 2x --for 2m`: its floor back at the HPA's
        // own 6, the HPA (no metrics) keeping 8. Before, every evaluation past the scale-down window proposed 8 → 6, a
        // card whose approval only set minReplicas 6 again.
        _server.Workloads.Add("feed", "feed-service", 8, hpa: new HpaInfo("feed-service", MinReplicas: 6, MaxReplicas: 30, OriginalMinReplicas: null));
        _server.Workloads.HpaKeeps("feed", "feed-service", 8);
        await _server.Policies.UpsertAsync(Hybrid("feed", "feed-service"), default);
        _server.Metrics.Set(TestPolicies.Query("feed-service"), 250);

        await TicksAsync(80); // 400 s: past the 300 s scale-down window

        Assert.Empty(await _server.Proposals.ListAsync("feed", default));
        Assert.Empty(_server.Cards.Sent);
        Assert.Empty(_server.Notices.Published);
        Assert.Empty(_server.Workloads.Writes);
        Assert.Equal(8, _server.Workloads.Replicas("feed", "feed-service"));
        var status = (await _server.Policies.GetAsync("feed", "feed-service", default))!.Status!;
        Assert.Contains("held at 8 by HPA feed-service (its own minReplicas 6 is restored; the HPA decides below that)", status.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tick_ScaleControlsFloorAboveTheHpasOwn_ComesDownThroughIt_ThenHolds()
    {
        // The same HPA while ScaleControl's floor is 10 (the event's): the scale-down 10 → 6 lowers that floor (10 → 8
        // within the Hybrid allowance, 8 → 6 approved); once it is back at the HPA's own 6 the HPA decides.
        _server.Workloads.Add("feed", "feed-service", 10, hpa: new HpaInfo("feed-service", MinReplicas: 10, MaxReplicas: 30, OriginalMinReplicas: 6));
        await _server.Policies.UpsertAsync(Hybrid("feed", "feed-service"), default);
        _server.Metrics.Set(TestPolicies.Query("feed-service"), 250);

        await TicksAsync(80);
        var pending = Assert.Single(await _server.Proposals.ListAsync("feed", default), p => p.Status.Phase == ProposalPhase.Pending);
        Assert.Equal((8, 6), (pending.Spec.FromReplicas, pending.Spec.ToReplicas));
        Assert.Equal(new HpaInfo("feed-service", 8, 30, 6), _server.Workloads.Hpa("feed", "feed-service"));
        _server.Workloads.HpaKeeps("feed", "feed-service", 7); // the HPA's own count, above the floor about to be restored
        var approved = await _server.Service<IApprovalInbox>().DecideAsync(new ApprovalCommand("feed", pending.Metadata.Name, "zhangsan", ApprovalChannel.Api, true), default);
        Assert.Equal(ApprovalResultKind.Accepted, approved.Kind);
        await TicksAsync(80);

        Assert.Equal(new HpaInfo("feed-service", 6, 30, null), _server.Workloads.Hpa("feed", "feed-service"));
        Assert.Equal(7, _server.Workloads.Replicas("feed", "feed-service"));
        var proposals = await _server.Proposals.ListAsync("feed", default);
        Assert.Equal(2, proposals.Count); // 10 → 8 and 8 → 6; no 7 → 6 after them
        Assert.All(proposals, p => Assert.Equal(ProposalPhase.Applied, p.Status.Phase));
    }

    private async Task TicksAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _server.Time.Advance(TimeSpan.FromSeconds(5));
            await _server.Service<Reconciler>().TickAsync(default);
        }
    }

    private static ScalePolicy Hybrid(string ns, string name)
    {
        var policy = TestPolicies.Approval(ns, name);
        return policy with { Spec = policy.Spec with { Mode = ScaleMode.Hybrid, AutoApproveMaxStep = new StepLimit { Pods = 2 } } };
    }
}
