using Microsoft.Extensions.Options;
using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Tests.Infrastructure;

namespace ScaleControl.Server.Tests.Control;

public class PolicyRuntimeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Since_FullRing_KeepsTheNewestOldestFirst()
    {
        var runtime = new PolicyRuntime(ringCapacity: 3);
        for (var i = 0; i < 5; i++)
        {
            runtime.Remember(Record(Start.AddSeconds(5 * i), value: i, desired: 10 + i));
        }

        var samples = runtime.Since(DateTimeOffset.MinValue);

        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(15), Start.AddSeconds(20)], samples.Select(s => s.Time));
        Assert.Equal([12, 13, 14], samples.Select(s => s.Desired));
        Assert.Equal(14, runtime.Last!.DesiredReplicas);
    }

    [Fact]
    public void Retain_ForgetsTheRuntimesOfPoliciesThatAreGone_KeepsTheOthers()
    {
        using var metrics = new TestMetrics();
        var runtimes = new PolicyRuntimes(Options.Create(new ControlLoopOptions()), metrics.Metrics);
        var kept = runtimes.For("shop", "checkout");
        runtimes.For("shop", "search");
        runtimes.For("feed", "checkout");

        runtimes.Retain([Policy("shop", "checkout"), Policy("feed", "other")]);

        Assert.Same(kept, runtimes.Find("shop", "checkout"));
        Assert.Null(runtimes.Find("shop", "search"));
        Assert.Null(runtimes.Find("feed", "checkout"));
    }

    [Fact]
    public void Since_FiltersByTime_BeforeTheRingFills()
    {
        var runtime = new PolicyRuntime(ringCapacity: 10);
        for (var i = 0; i < 4; i++)
        {
            runtime.Remember(Record(Start.AddSeconds(5 * i), value: i, desired: 3));
        }

        Assert.Equal([Start.AddSeconds(10), Start.AddSeconds(15)], runtime.Since(Start.AddSeconds(10)).Select(s => s.Time));
        Assert.Empty(new PolicyRuntime(10).Since(DateTimeOffset.MinValue));
    }

    [Fact]
    public void Sample_KeepsChartFields_AndMissingValuesStayMissing()
    {
        var runtime = new PolicyRuntime(ringCapacity: 4);
        runtime.Remember(Record(Start, value: 71.29785, desired: 9, predicted: 80.5));
        runtime.Remember(Record(Start.AddSeconds(5), value: null, desired: 9));

        var (measured, missing) = (runtime.Since(Start)[0], runtime.Since(Start)[1]);

        Assert.Equal(71.29785, measured.Value!.Value, tolerance: 1e-4); // a float: 7 significant digits are plenty for a chart
        Assert.Equal(80.5, measured.Predicted);
        Assert.Equal((9, 4, 5), (measured.Desired, measured.Ready, measured.Current));
        Assert.Null(missing.Value);
        Assert.Null(missing.Predicted);
    }

    [Fact]
    public void Backfill_FillsOnlyAfterTheNewestSample_MarkedAndWithoutMadeUpCounts()
    {
        var runtime = new PolicyRuntime(ringCapacity: 10);
        runtime.Remember(Record(Start, value: 100, desired: 6));

        var taken = runtime.Backfill([
            EvaluationSample.Past(Start.AddSeconds(-15), 90, replicas: 4), // before what the loop saw: not written over
            EvaluationSample.Past(Start, 95, replicas: 4),
            EvaluationSample.Past(Start.AddSeconds(15), 110, replicas: null),
            EvaluationSample.Past(Start.AddSeconds(30), 120, replicas: 6),
        ]);
        runtime.Remember(Record(Start.AddSeconds(45), value: 130, desired: 7));

        Assert.Equal(2, taken);
        var samples = runtime.Since(DateTimeOffset.MinValue);
        Assert.Equal([false, true, true, false], samples.Select(s => s.Backfilled));
        Assert.Equal([100.0, 110, 120, 130], samples.Select(s => s.Value!.Value));
        Assert.Equal([5, null, 6, 5], samples.Select(s => s.Current));
        Assert.All(samples.Where(s => s.Backfilled), s => Assert.Equal((null, null, null), (s.Predicted, s.Desired, s.Ready)));
        Assert.Equal(Start.AddSeconds(45), runtime.NewestSample);
        Assert.Equal(Start.AddSeconds(45), runtime.LastEvaluated);
    }

    [Fact]
    public void Sample_StaysThirtyTwoBytes()
    {
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<EvaluationSample>()); // the ring's memory in docs/api.md
    }

    [Fact]
    public void For_TheSameNamesInOtherStrings_FindsTheSameRuntime_AndForgetStartsAFreshOne()
    {
        using var metrics = new TestMetrics();
        var runtimes = new PolicyRuntimes(Options.Create(new ControlLoopOptions()), metrics.Metrics);
        var first = runtimes.For("shop", "checkout");
        var other = runtimes.For("shop", "checkou" + new string('t', 1)); // equal names, another string

        Assert.Same(first, other);
        Assert.NotSame(first, runtimes.For("checkout", "shop"));

        runtimes.Forget("shop", "checkout");

        Assert.Null(runtimes.Find("shop", "checkout"));
        Assert.NotSame(first, runtimes.For("shop", "checkout"));
    }

    private static EvaluationRecord Record(DateTimeOffset time, double? value, int desired, double? predicted = null) => new(
        time,
        [new MetricSnapshot("qps", value, predicted, value is null ? MetricStatus.Empty : MetricStatus.Ok, null)],
        ReadyReplicas: 4,
        new Decision { CurrentReplicas = 5, DesiredReplicas = desired, Outcome = DecisionOutcome.None, Reason = "within tolerance" });

    private static ScalePolicy Policy(string @namespace, string name) =>
        new() { Metadata = new ObjectMeta { Namespace = @namespace, Name = name } };
}
