using ScaleControl.Core.Ports;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// An HPA owns the workload with its own minReplicas 4; the policy's minimum is 2 and the demand needs 3. ScaleControl
/// cannot go below the HPA's floor, so the decision holds and says why (the engine's rule, DecisionEngineHpaFloorTests). Before, every evaluation after the scale-down window
/// made an "applied 4 → 4" proposal, an Event and a "scaled automatically 4 → 3" notice (the seeded feed-service
/// spammed the on-call group every 5 s below 300 qps).
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

        for (var i = 0; i < 80; i++) // 400 s: past the 300 s scale-down window
        {
            _server.Time.Advance(TimeSpan.FromSeconds(5));
            await _server.Service<Reconciler>().TickAsync(default);
        }

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

        for (var i = 0; i < 80; i++)
        {
            _server.Time.Advance(TimeSpan.FromSeconds(5));
            await _server.Service<Reconciler>().TickAsync(default);
        }

        Assert.Equal(4, _server.Workloads.Replicas("video", "video-transcoder"));
        var proposals = await _server.Proposals.ListAsync("video", default);
        Assert.NotEmpty(proposals);
        Assert.All(proposals, p => Assert.True(p.Spec.ToReplicas >= 4, $"asked {p.Spec.ToReplicas}, below the HPA's own minimum 4")); // never the 3 the demand needs
    }
}
