using ScaleControl.Core.Faults;

namespace ScaleControl.Core.Tests.Faults;

public sealed class FaultLedgerTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private readonly FaultLedger _ledger = new(FaultNoticeTiming.Default);

    private FaultNoticeStep Observe(double seconds, string? problem) =>
        _ledger.Observe("prometheus", problem, s_t0.AddSeconds(seconds)).Step;

    [Fact]
    public void ABlipShorterThanOpenAfter_ShowsNothing()
    {
        Assert.Equal(FaultNoticeStep.None, Observe(0, "connection refused"));
        Assert.Equal(FaultNoticeStep.None, Observe(20, "connection refused"));
        Assert.Equal(FaultNoticeStep.None, Observe(25, null));
        Assert.Equal(FaultNoticeStep.None, Observe(60, null));
        Assert.Empty(_ledger.Open);
    }

    [Fact]
    public void AFaultThatLasts_OpensOnce_UpdatesAtMostEveryMinute_ResolvesWithItsDuration()
    {
        var steps = new List<(FaultNoticeStep Step, FaultNotice? Notice)>();
        for (var t = 0; t < 432; t += 5)
        {
            steps.Add(_ledger.Observe("prometheus", "connection refused", s_t0.AddSeconds(t)));
        }

        for (var t = 432; t <= 470; t += 2)
        {
            steps.Add(_ledger.Observe("prometheus", null, s_t0.AddSeconds(t)));
        }

        var shown = steps.Where(s => s.Step != FaultNoticeStep.None).ToList();
        Assert.Equal(FaultNoticeStep.Open, shown[0].Step);
        Assert.Equal(s_t0.AddSeconds(30), shown[0].Notice!.At);
        Assert.Equal(FaultNoticeStep.Resolve, shown[^1].Step);
        Assert.All(shown[1..^1], s => Assert.Equal(FaultNoticeStep.Update, s.Step));
        Assert.Equal(6, shown.Count(s => s.Step == FaultNoticeStep.Update)); // 90 s, 150 s, … 390 s: one a minute
        Assert.All(shown, s => Assert.Equal(s_t0, s.Notice!.Since));
        var resolved = shown[^1].Notice!;
        Assert.Equal("7m12s", FaultNotice.Format(resolved.Duration));
        Assert.Equal(s_t0.AddSeconds(462), resolved.At);
        Assert.Empty(_ledger.Open);
    }

    [Fact]
    public void WhatFailsChanges_UpdatedAtOnce()
    {
        Observe(0, "connection refused");
        Assert.Equal(FaultNoticeStep.Open, Observe(30, "connection refused"));
        Assert.Equal(FaultNoticeStep.Update, Observe(35, "HTTP 503"));
        Assert.Equal(FaultNoticeStep.None, Observe(40, "HTTP 503"));
    }

    [Fact]
    public void HealthyForLessThanResolveAfter_ThenFailingAgain_StaysOneFault()
    {
        Observe(0, "timeout");
        Assert.Equal(FaultNoticeStep.Open, Observe(30, "timeout"));
        Assert.Equal(FaultNoticeStep.None, Observe(40, null));
        Assert.Equal(FaultNoticeStep.None, Observe(50, "timeout"));
        Assert.Equal(FaultNoticeStep.None, Observe(75, null));
        var (step, notice) = _ledger.Observe("prometheus", null, s_t0.AddSeconds(105));

        Assert.Equal(FaultNoticeStep.Resolve, step);
        Assert.Equal(s_t0, notice!.Since);
        Assert.Equal("1m15s", FaultNotice.Format(notice.Duration));
    }

    [Fact]
    public void Dependencies_AreTrackedApart()
    {
        _ledger.Observe("prometheus", "down", s_t0);
        _ledger.Observe("kubernetes", "429", s_t0.AddSeconds(10));

        Assert.Equal(FaultNoticeStep.Open, _ledger.Observe("prometheus", "down", s_t0.AddSeconds(30)).Step);
        Assert.Equal(FaultNoticeStep.None, _ledger.Observe("kubernetes", "429", s_t0.AddSeconds(30)).Step);
        Assert.Equal(["prometheus"], _ledger.Open);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(432, "7m12s")]
    [InlineData(7500, "2h05m")]
    public void Format_ReadsAsADuration(int seconds, string expected) =>
        Assert.Equal(expected, FaultNotice.Format(TimeSpan.FromSeconds(seconds)));
}
