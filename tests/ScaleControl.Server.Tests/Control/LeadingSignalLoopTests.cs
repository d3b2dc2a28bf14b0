using ScaleControl.Core.Policies;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Server.Control.Loop;

namespace ScaleControl.Server.Tests.Control;

/// <summary>The loop queries a policy's leading signal beside its metrics and scales ahead of the traffic.</summary>
public sealed class LeadingSignalLoopTests : IDisposable
{
    private const string PushQuery = "sum(rate(push_sent_total[1m]))";

    private readonly ServerFactory _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Tick_SignalRises_ScalesBeforeTheMetricMovesWithTheSignalInTheReason()
    {
        var policy = TestPolicies.Auto();
        policy = policy with
        {
            Spec = policy.Spec with { LeadingSignal = new LeadingSignalSpec { Name = "push", Query = PushQuery, RequestsPerUnit = 0.01, LeadSeconds = 90, HoldSeconds = 600 } },
        };
        _server.Workloads.Add("video", "video-transcoder", 3);
        await _server.Policies.UpsertAsync(policy, default);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 300);
        _server.Metrics.Set(PushQuery, 0);
        await Tick();
        await Tick(seconds: 5);
        Assert.Equal(3, _server.Workloads.Replicas("video", "video-transcoder"));

        _server.Metrics.Set(PushQuery, 50_000); // 500 QPS announced
        await Tick(seconds: 5);

        // (300 + 500) x 1.1 / 100 = 8.8 -> 9, while the metric still says 300.
        Assert.Equal(9, _server.Workloads.Replicas("video", "video-transcoder"));
        var status = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!;
        Assert.Contains("leading signal push", status.LastReason, StringComparison.Ordinal);
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
