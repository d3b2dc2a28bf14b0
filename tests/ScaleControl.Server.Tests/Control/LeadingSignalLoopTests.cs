using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Core.Policies;
using ScaleControl.Server.Tests.Infrastructure;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Testing.Stores;

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

    [Fact]
    public async Task Tick_EventsTrafficJudged_LearnedConversionWrittenToStatusAndUsedAfterARestart()
    {
        var qps = await PushThenTwiceTheTrafficAsync(holdSeconds: 600);
        await Tick(seconds: 5);

        var learned = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.LeadingSignal;
        Assert.NotNull(learned);
        Assert.Equal(1.4142, learned.LearnedFactor, 4);
        Assert.Equal(1, learned.Events);
        Assert.Equal(0.01, learned.RequestsPerUnit);

        // A new leader, after the hold: its first push is sized with 0.01 x 1.41 (+707 QPS), read from the status.
        using var restarted = _server.Restarted();
        restarted.Time.Advance(TimeSpan.FromMinutes(15));
        restarted.Workloads.Add("video", "video-transcoder", 3); // back at 3 since
        restarted.Metrics.Set(qps, 300);
        restarted.Metrics.Set(PushQuery, 0);
        await restarted.Service<Reconciler>().TickAsync(default);
        restarted.Time.Advance(TimeSpan.FromSeconds(5));
        await restarted.Service<Reconciler>().TickAsync(default);
        restarted.Metrics.Set(PushQuery, 50_000);
        restarted.Time.Advance(TimeSpan.FromSeconds(5));
        await restarted.Service<Reconciler>().TickAsync(default);

        // (300 + 707) x 1.1 / 100 = 11.08 -> 12, where 0.01 alone asked 9.
        Assert.Equal(12, restarted.Workloads.Replicas("video", "video-transcoder"));
        var status = (await restarted.Policies.GetAsync("video", "video-transcoder", default))!.Status!;
        Assert.Contains("(conversion learned x1.41 over 1 event)", status.LastReason, StringComparison.Ordinal);
        Assert.Equal(learned, status.LeadingSignal);
        using var client = restarted.ClientWith(ServerFactory.ViewerToken);
        var view = await client.GetFromJsonAsync<JsonElement>("/api/v1/status");
        var shown = Assert.Single(view.GetProperty("policies").EnumerateArray()).GetProperty("leadingSignal");
        Assert.Equal(1.4142, shown.GetProperty("learnedFactor").GetDouble(), 4);
        Assert.Equal(1, shown.GetProperty("events").GetInt32());
    }

    /// <summary>
    /// The event is judged while its floor holds; a status write that fails then (a 409 from a spec write in between, an
    /// API server that does not answer) must not drop the lesson once the floor is gone, and a write whose answer was
    /// lost (it went through) must not teach it twice.
    /// </summary>
    [Theory]
    [InlineData(StatusWriteFault.Conflict)]
    [InlineData(StatusWriteFault.Unavailable)]
    [InlineData(StatusWriteFault.AnswerLost)]
    public async Task Tick_StatusWriteFailsUntilTheFloorIsGone_TheLessonIsWrittenLaterAndOnce(StatusWriteFault fault)
    {
        await PushThenTwiceTheTrafficAsync(holdSeconds: 30); // held 90 + 30 s after the push: judged at 110 s, gone at 135 s
        for (var i = 0; i < 6; i++)
        {
            _server.Policies.StatusWriteFaults.Enqueue(fault); // every write from the judgement (110 s) to after the floor is gone
        }

        for (var i = 0; i < 12; i++)
        {
            await Tick(seconds: 5);
        }

        var learned = (await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.LeadingSignal;
        Assert.NotNull(learned);
        Assert.Equal((1.4142, 1, (double?)2.0), (learned.LearnedFactor, learned.Events, learned.LastEventFactor));
    }

    [Fact]
    public async Task Tick_ConversionEdited_LearnedFactorClearedFromStatus()
    {
        var policy = TestPolicies.Auto();
        var signal = new LeadingSignalSpec { Name = "push", Query = PushQuery, RequestsPerUnit = 0.01 };
        await _server.Policies.UpsertAsync(policy with
        {
            Spec = policy.Spec with { LeadingSignal = signal with { RequestsPerUnit = 0.02 } },
        }, default);
        var stored = (await _server.Policies.GetAsync("video", "video-transcoder", default))!;
        await _server.Policies.UpdateStatusAsync(stored with
        {
            Status = new ScalePolicyStatus { LeadingSignal = new LeadingSignalStatus { LearnedFactor = 1.5, Events = 3, Name = "push", Query = PushQuery, RequestsPerUnit = 0.01 } },
        }, default);
        _server.Workloads.Add("video", "video-transcoder", 3);
        _server.Metrics.Set(TestPolicies.Query("video-transcoder"), 300);
        _server.Metrics.Set(PushQuery, 0);

        await Tick();

        Assert.Null((await _server.Policies.GetAsync("video", "video-transcoder", default))!.Status!.LeadingSignal);
    }

    /// <summary>
    /// A push announcing +500 QPS at 10 s (0.01 per unit, a 90 s lead), then +1,000 QPS from 95 s: ticks every 5 s up to
    /// 105 s, one before the event is judged (x2). Returns the metric's query.
    /// </summary>
    private async Task<string> PushThenTwiceTheTrafficAsync(int holdSeconds)
    {
        var policy = TestPolicies.Auto();
        await _server.Policies.UpsertAsync(policy with
        {
            Spec = policy.Spec with { LeadingSignal = new LeadingSignalSpec { Name = "push", Query = PushQuery, RequestsPerUnit = 0.01, LeadSeconds = 90, HoldSeconds = holdSeconds } },
        }, default);
        _server.Workloads.Add("video", "video-transcoder", 3);
        var qps = TestPolicies.Query("video-transcoder");
        _server.Metrics.Set(qps, 300);
        _server.Metrics.Set(PushQuery, 0);
        await Tick();
        await Tick(seconds: 5);
        _server.Metrics.Set(PushQuery, 50_000); // 500 QPS announced
        await Tick(seconds: 5);
        _server.Metrics.Set(PushQuery, 0);
        for (var i = 0; i < 17; i++)
        {
            await Tick(seconds: 5); // the lead: the traffic is not there yet
        }

        _server.Metrics.Set(qps, 1_300); // +1,000 came of +500: x2
        await Tick(seconds: 5);
        await Tick(seconds: 5);
        return qps;
    }

    private Task Tick(int seconds = 0)
    {
        _server.Time.Advance(TimeSpan.FromSeconds(seconds));
        return _server.Service<Reconciler>().TickAsync(default);
    }
}
