using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Faults;
using ScaleControl.Core.Ports;
using ScaleControl.Server.Control;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>
/// The fault ledger survives a leader change: two replicas (two <see cref="FaultNotices"/>, one shared store, one
/// DingTalk) and a fault that outlives the first leader stay one notice — the new leader updates it (no second DING)
/// and resolves it with the whole duration, counted from the first failure the old leader saw.
/// </summary>
public sealed class FaultLedgerHandoverTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly MemoryFaultLedgerStore _store = new();
    private readonly RecordingFaults _dingTalk = new();

    [Fact]
    public async Task LeaderChangesDuringAFault_NewLeaderUpdatesTheSameNotice_NoSecondDing_ResolvedWithTheWholeDuration()
    {
        var (a, leaderA) = Replica(isLeader: true);
        var (b, leaderB) = Replica(isLeader: false);
        var since = _time.GetUtcNow();
        for (var t = 0; t <= 120; t += 4)
        {
            await a.ObserveAsync(FaultNotices.Prometheus, "connection refused", default);
            await b.ObserveAsync(FaultNotices.Prometheus, "connection refused", default); // not the leader: sees nothing
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        // replica-a dies; replica-b wins the lease (a new term) and sees the same fault go on, then end.
        leaderA.IsLeader = false;
        leaderB.IsLeader = true;
        leaderB.Term++;
        for (var t = 0; t <= 180; t += 4)
        {
            await b.ObserveAsync(FaultNotices.Prometheus, "connection refused", default);
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        var healthyFrom = _time.GetUtcNow();
        for (var t = 0; t <= 40; t += 4)
        {
            await b.ObserveAsync(FaultNotices.Prometheus, null, default);
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        var shown = _dingTalk.Shown.ToList();
        Assert.Single(shown, s => s.Ding);
        Assert.All(shown, s => Assert.Equal(since, s.Notice.Since)); // one notice (its card id comes from Since)
        var resolved = shown[^1].Notice;
        Assert.True(resolved.Resolved);
        Assert.Equal(healthyFrom - since, resolved.Duration);
    }

    [Fact]
    public async Task OldLeaderCouldNotShowTheOpening_NewLeaderShowsItWithItsDing()
    {
        var (a, leaderA) = Replica(isLeader: true);
        var (b, leaderB) = Replica(isLeader: false);
        var since = _time.GetUtcNow();
        _dingTalk.Reachable = false;
        for (var t = 0; t <= 40; t += 4)
        {
            await a.ObserveAsync(FaultNotices.Kubernetes, "HTTP 500", default);
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        Assert.Empty(_dingTalk.Shown);
        leaderA.IsLeader = false;
        leaderB.IsLeader = true;
        leaderB.Term++;
        _dingTalk.Reachable = true;
        await b.ObserveAsync(FaultNotices.Kubernetes, "HTTP 500", default);

        var (notice, ding) = Assert.Single(_dingTalk.Shown);
        Assert.True(ding);
        Assert.Equal(since, notice.Since);
    }

    private (FaultNotices Notices, Leadership Leadership) Replica(bool isLeader)
    {
        var leadership = new Leadership { IsLeader = isLeader };
        var options = Options.Create(new ControlLoopOptions { FaultOpenAfterSeconds = 30, FaultUpdateSeconds = 60, FaultResolveAfterSeconds = 30 });
        return (new FaultNotices(_dingTalk, _store, leadership, options, _time), leadership);
    }

    private sealed class Leadership : ILeadership
    {
        public bool IsLeader { get; set; }
        public string Identity => "replica";
        public string? CurrentLeader => null;
        public long Term { get; set; } = 1;
    }
}
