using ScaleControl.Core.Decisions;
using ScaleControl.Core.Signals;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Trim runs for every policy every tick: it drops exactly what is older than the window, wherever it sits.</summary>
public class PolicyHistoryTrimTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Trim_OldEntriesAtTheFront_DropsThemAndKeepsTheRestInOrder()
    {
        var history = new PolicyHistory();
        for (var s = 0; s <= 60; s += 10)
        {
            history.AddSample("qps", new MetricPoint(T0.AddSeconds(s), s));
            history.AddRecommendation(T0.AddSeconds(s), s);
        }

        history.Trim(T0.AddSeconds(60), TimeSpan.FromSeconds(30));

        Assert.Equal([30.0, 40.0, 50.0, 60.0], history.Samples("qps").Select(p => p.Value));
        Assert.Equal([30, 40, 50, 60], history.Recommendations.Select(r => r.Replicas));
    }

    [Fact]
    public void Samples_ByNamesInOtherStrings_AlternatingMetrics_AreEachMetricsOwn()
    {
        var history = new PolicyHistory();
        var qps = "qps";
        var latency = "latency";
        for (var s = 0; s < 3; s++)
        {
            history.AddSample(qps, new MetricPoint(T0.AddSeconds(s), s));
            history.AddSample(latency, new MetricPoint(T0.AddSeconds(s), 100 + s));
        }

        // The series last found is kept by its name string: an equal name in another string, or the other metric's
        // name, must still find its own series, and a metric never recorded none.
        Assert.Equal([0.0, 1.0, 2.0], history.Samples(new string(qps.AsSpan())).Select(p => p.Value));
        Assert.Equal([100.0, 101.0, 102.0], history.Samples(latency).Select(p => p.Value));
        Assert.Equal([0.0, 1.0, 2.0], history.Samples(qps).Select(p => p.Value));
        Assert.Empty(history.Samples("errors"));
        Assert.Equal([100.0, 101.0, 102.0], history.Samples(new string(latency.AsSpan())).Select(p => p.Value));
    }

    [Fact]
    public void Trim_OldChangeRecordedLate_IsDroppedToo()
    {
        var history = new PolicyHistory();
        history.AddChange(new ScaleChange(T0.AddMinutes(50), 2, 4));
        history.AddChange(new ScaleChange(T0.AddSeconds(10), 4, 6)); // recorded late, with its own older time (kept in time order)
        history.AddChange(new ScaleChange(T0.AddMinutes(60), 6, 8));

        history.Trim(T0.AddMinutes(60), TimeSpan.FromSeconds(30));

        Assert.Equal([4, 8], history.Changes.Select(c => c.To));
    }

    [Fact]
    public void Trim_KeepsChangesForTheSwingRule_OtherEntriesForKeep()
    {
        var history = new PolicyHistory();
        history.AddRecommendation(T0.AddMinutes(50), 3);
        history.AddChange(new ScaleChange(T0.AddMinutes(45), 2, 4)); // older than keep, inside SwingHold.RegretWindow
        history.AddChange(new ScaleChange(T0.AddMinutes(30), 4, 6)); // older than both

        history.Trim(T0.AddMinutes(60), TimeSpan.FromMinutes(5));

        Assert.Empty(history.Recommendations);
        Assert.Equal([4], history.Changes.Select(c => c.To));
    }

    [Fact]
    public void Trim_NothingOld_KeepsEverything()
    {
        var history = new PolicyHistory();
        history.AddRecommendation(T0.AddSeconds(40), 3);
        history.AddRecommendation(T0.AddSeconds(50), 5);

        history.Trim(T0.AddSeconds(60), TimeSpan.FromSeconds(30));

        Assert.Equal([3, 5], history.Recommendations.Select(r => r.Replicas));
    }

    [Fact]
    public void Trim_RecommendationFromAClockThatSteppedBack_IsDroppedToo()
    {
        var history = new PolicyHistory();
        history.AddRecommendation(T0.AddSeconds(50), 3);
        history.AddRecommendation(T0.AddSeconds(10), 4); // the clock stepped back
        history.AddRecommendation(T0.AddSeconds(60), 5);

        history.Trim(T0.AddSeconds(60), TimeSpan.FromSeconds(30));
        Assert.Equal([3, 5], history.Recommendations.Select(r => r.Replicas));

        history.AddRecommendation(T0.AddSeconds(20), 6); // again, after a trim
        history.Trim(T0.AddSeconds(65), TimeSpan.FromSeconds(30));
        Assert.Equal([3, 5], history.Recommendations.Select(r => r.Replicas));
    }
}
