using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

/// <summary>What a policy's charts lack after the loop was not watching, and the samples that fill it in.</summary>
public sealed class ChartBackfillTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Scrape = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(5, 30, 15)] // the default: 360 evaluations at 5 s, Prometheus' 15 s step
    [InlineData(60, 360, 60)] // a point per evaluation when the interval is longer than a scrape
    public void GapOf_EmptyRing_IsTheRingsSpanAtTheCoarserOfIntervalAndScrape(int interval, int minutes, int step)
    {
        var spec = TestPolicies.Auto().Spec with { EvaluationIntervalSeconds = interval };

        var gap = ChartBackfill.GapOf(spec, newestSample: null, Now, ringSize: 360, Scrape)!.Value;

        Assert.Equal((Now.AddMinutes(-minutes), TimeSpan.FromSeconds(step)), (gap.From, gap.Step));
    }

    [Fact]
    public void GapOf_LeaseLostForTwoMinutes_AsksOnlyForTheGap_AndNothingWhenNoneIsMissing()
    {
        var spec = TestPolicies.Auto().Spec;

        Assert.Equal(Now.AddMinutes(-2), ChartBackfill.GapOf(spec, Now.AddMinutes(-2), Now, 360, Scrape)!.Value.From);
        Assert.Null(ChartBackfill.GapOf(spec, Now, Now, 360, Scrape));
        Assert.Null(ChartBackfill.GapOf(spec with { Metrics = [] }, null, Now, 360, Scrape));
    }

    [Fact]
    public void Ranges_OneQueryPerExpression_AtTheFinestStepAndNoMoreThanTheRingHolds()
    {
        var gaps = new[]
        {
            new ChartBackfill.Gap("a", Now.AddMinutes(-30), Scrape, TimeSpan.FromSeconds(5)),
            new ChartBackfill.Gap("a", Now.AddHours(-6), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60)),
            new ChartBackfill.Gap("b", Now.AddMinutes(-2), Scrape, TimeSpan.FromSeconds(5)),
        };

        var ranges = ChartBackfill.Ranges(gaps, Now, ringSize: 360);

        Assert.Equal([new("a", Now.AddMinutes(-90), Scrape), new ChartBackfill.Range("b", Now.AddMinutes(-2), Scrape)], ranges);
    }

    [Fact]
    public void Samples_ReplicasAreAStepLineOfTheAppliedChanges_ThinnedToTheInterval_BeforeNow()
    {
        var gap = new ChartBackfill.Gap("a", Now.AddMinutes(-4), Scrape, TimeSpan.FromSeconds(60));
        var points = Enumerable.Range(0, 17).Select(i => new MetricPoint(Now.AddMinutes(-4) + (Scrape * i), 100 + i)).ToList();
        points[4] = points[4] with { Value = double.NaN }; // a point Prometheus had no number for is not charted
        ScaleChange[] changes = [new(Now.AddMinutes(-1), 6, 4), new(Now.AddMinutes(-3), 4, 6)]; // not in time order

        var samples = ChartBackfill.Samples(gap, points, changes, Now);

        Assert.Equal([Now.AddSeconds(-240), Now.AddSeconds(-165), Now.AddSeconds(-105), Now.AddSeconds(-45)], samples.Select(s => s.Time));
        Assert.Equal([4, 6, 6, 4], samples.Select(s => s.Current));
        Assert.All(samples, s => Assert.True(s.Backfilled));
        Assert.All(ChartBackfill.Samples(gap, points, [], Now), s => Assert.Null(s.Current)); // no change known: no replicas made up
    }
}
