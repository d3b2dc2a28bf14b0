using ScaleControl.Core.Decisions;
using static ScaleControl.Core.Tests.Decisions.DecisionEngineLeadingSignalTests;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// A held leading-signal floor rescaled by the traffic that came: once the lead has passed and three scrapes of the
/// metric are in, the expected excess is scaled by observed/expected (0.5..2), unless the two agree within tolerance.
/// </summary>
public class LeadingSignalRescaleTests
{
    /// <summary>
    /// 1,000 QPS, then one burst of 20k pushes/s (+1,000 QPS expected: floor (1k + 1k) x 1.1 / 100 = 22), then the
    /// opens, <paramref name="arrived"/> QPS more, from <paramref name="arrivesAfter"/> s on. Returns the rig 85 s after
    /// the burst: 5 s before the traffic is due.
    /// </summary>
    internal static EngineRig Burst(double arrived, int arrivesAfter = 90, double headroom = 0.1)
    {
        var rig = Rig(signal: Push with { Headroom = headroom });
        Run(rig, 24, 1_000);
        Assert.Equal<int?>((int)Math.Ceiling(2_000 * (1 + headroom) / 100), Step(rig, 1_000, 20_000).SignalFloor);
        for (var t = 5; t <= 85; t += 5)
        {
            Step(rig, t >= arrivesAfter ? 1_000 + arrived : 1_000, 0);
        }

        return rig;
    }

    internal static Decision Run(EngineRig rig, int evaluations, double qps)
    {
        Decision last = default;
        for (var i = 0; i < evaluations; i++)
        {
            last = Step(rig, qps, 0);
        }

        return last;
    }

    [Theory]
    // Conversion too high: +600 QPS came of the +1,000 announced, the floor falls to (1k + 600) x 1.1 / 100 = 18 (the metric asks 16).
    [InlineData(600, 0.1, 18, "rescaled x0.6: +600 observed of +1k expected")]
    // Too low: +1,500 came, (1k + 1.5k) x 1.1 / 100 = 28 (the metric asks 25).
    [InlineData(1_500, 0.1, 28, "rescaled x1.5: +1.5k observed of +1k expected")]
    // Far less: x0.1, and the cut stops at x0.5: (1k + 500) x 1.1 / 100 = 17, above the 11 the metric asks.
    [InlineData(100, 0.1, 17, "rescaled x0.5, clamped from x0.1: +100 observed of +1k expected")]
    // Far more: x3, and the floor goes to x2: (1k + 2k) x 1.5 / 100 = 45 (headroom 0.5, so it shows above the 40 the
    // metric asks; the metric's own ask is never cut by the clamp).
    [InlineData(3_000, 0.5, 45, "rescaled x2, clamped from x3: +3k observed of +1k expected")]
    public void Decide_TrafficDueAndScrapedThrice_FloorRescaledByObservedOverExpected(double arrived, double headroom, int floor, string rescaled)
    {
        var rig = Burst(arrived, headroom: headroom);

        var d = Run(rig, 3, 1_000 + arrived);

        Assert.Equal(floor, d.DesiredReplicas);
        Assert.Equal("signal:push", d.Evidence.BoundBy);
        Assert.Contains($"leading signal push floor -> {floor} ({rescaled}), held 100s of 690s", d.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_090)]
    [InlineData(850)]
    public void Decide_TrafficWithinTheMetricsTolerance_FloorLeftAlone(double arrived)
    {
        // 90 or 150 QPS off the expected 2,000: inside the 10% tolerance, noise rather than a wrong conversion.
        var rig = Burst(arrived);

        var d = Run(rig, 6, 1_000 + arrived);

        Assert.Equal(22, d.DesiredReplicas);
        Assert.Contains("leading signal push floor -> 22, held 115s of 690s", d.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("rescaled", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_BeforeTheLeadHasPassedAndThreeScrapes_FloorUnchanged()
    {
        // The little traffic there is arrives early (30 s after the burst): the floor is not judged on it before the
        // announced traffic is due (90 s), and then not before three scrapes of it.
        var rig = Burst(600, arrivesAfter: 30);
        Assert.Equal(22, Step(rig, 1_600, 0).DesiredReplicas); // 90 s: due, one scrape
        var second = Step(rig, 1_600, 0);
        Assert.Equal(22, second.DesiredReplicas);
        Assert.DoesNotContain("rescaled", second.Reason, StringComparison.Ordinal);

        Assert.Equal(18, Step(rig, 1_600, 0).DesiredReplicas); // the third
    }

    [Fact]
    public void Decide_TrafficStillClimbing_CutWaitsUntilItLevels()
    {
        // The opens come in slower than the lead said: no cut while each scrape is higher than the last.
        var rig = Burst(0);
        Assert.Equal(22, Step(rig, 1_200, 0).DesiredReplicas);
        Assert.Equal(22, Step(rig, 1_300, 0).DesiredReplicas);
        Assert.Equal(22, Step(rig, 1_400, 0).DesiredReplicas);
        Assert.Equal(22, Step(rig, 1_500, 0).DesiredReplicas);

        var levelled = Step(rig, 1_500, 0);

        Assert.Equal(17, levelled.DesiredReplicas); // +500 of +1,000: (1k + 500) x 1.1 / 100
        Assert.Contains("rescaled x0.5: +500 observed of +1k expected", levelled.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TrafficEasesAfterTheCut_FloorStaysAtTheHighestThatCame()
    {
        var rig = Burst(600);
        Run(rig, 3, 1_600);

        var d = Run(rig, 60, 1_000); // 5 min later the opens have gone; the floor still holds for the rest of the hold

        Assert.Equal(18, d.DesiredReplicas);
        Assert.Contains("floor -> 18 (rescaled x0.6: +600 observed of +1k expected), held 400s of 690s", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SmallerRiseAfterACut_HoldsItsOwnFloorUntilItsTrafficIsDue()
    {
        // The first push brought +300 of +1,000 (cut to x0.5: 17). A second, smaller push (+500 expected on 1,300 QPS:
        // (1.3k + 500) x 1.1 / 100 = 20) asks less than the first asked (22), yet more than the first's cut: it holds.
        var rig = Burst(300);
        Assert.Equal(17, Run(rig, 40, 1_300).DesiredReplicas);
        Assert.Equal(20, Step(rig, 1_300, 10_000).DesiredReplicas);

        var d = Run(rig, 6, 1_300);

        Assert.Equal(20, d.DesiredReplicas);
        Assert.Contains("leading signal push floor -> 20, held 30s of 690s", d.Reason, StringComparison.Ordinal);
    }
}
