using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Schedules, freeze and pin: what people put on top of the metrics.</summary>
public class DecisionEngineOverrideTests
{
    private static EngineRig Rig(Func<ScalePolicySpec, ScalePolicySpec> change) =>
        new(WithSpec(EngineRig.Unlimited(Auto(min: 1, max: 200)), change));

    [Fact]
    public void Decide_CronWindowOpenInItsTimeZone_RaisesToFloor()
    {
        // 19:50 in Shanghai is 11:50 UTC; the rig's clock starts at 10:00 UTC.
        var rig = Rig(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "evening-peak", Cron = "50 19 * * *", TimeZone = "Asia/Shanghai", DurationSeconds = 3600, MinReplicas = 80 }],
        });
        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas); // 10:00Z: closed

        rig.Advance(TimeSpan.FromMinutes(111).TotalSeconds); // 11:51Z
        var d = rig.Decide(5_000);

        Assert.Equal(80, d.DesiredReplicas);
        Assert.Equal("schedule:evening-peak", d.Evidence.BoundBy);
        Assert.Contains("schedule evening-peak floor -> 80", d.Reason, StringComparison.Ordinal);

        rig.Advance(TimeSpan.FromMinutes(60).TotalSeconds); // 12:51Z: closed again
        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_OneShotWindow_FloorOnlyInsideIt()
    {
        var start = EngineRig.T0.AddMinutes(10);
        var rig = Rig(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "gala", Start = start, End = start.AddMinutes(30), MinReplicas = 60 }],
        });

        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
        rig.Advance(600);
        Assert.Equal(60, rig.Decide(5_000).DesiredReplicas);
        rig.Advance(1800);
        Assert.Equal(10, rig.Decide(5_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_FloorBelowMetricNeed_MetricWins()
    {
        var rig = Rig(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "gala", Start = EngineRig.T0, End = EngineRig.T0.AddHours(1), MinReplicas = 15 }],
        });

        Assert.Equal(40, rig.Decide(20_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_FloorDuringFailStatic_StillRaises()
    {
        var rig = Rig(s => s with
        {
            Schedules = [new ScheduleSpec { Name = "gala", Start = EngineRig.T0, End = EngineRig.T0.AddHours(1), MinReplicas = 30 }],
        });

        var d = rig.Decide(new Dictionary<string, Signals.MetricReading>());

        Assert.Equal(30, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
    }

    [Fact]
    public void Decide_Frozen_HoldsEvenOnASpike()
    {
        var until = EngineRig.T0.AddMinutes(30);
        var rig = Rig(s => s with { Freeze = new FreezeSpec { Until = until, Reason = "release in progress", By = "alice" } });

        var d = rig.Decide(50_000);

        Assert.Equal(10, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Hold, d.Outcome);
        Assert.Equal("freeze", d.Evidence.BoundBy);
        Assert.Equal(("freeze", (int?)null), (d.HeldBy, d.UnheldReplicas)); // a person's stop holds back no count
        Assert.Equal("frozen by alice until 2026-11-25 10:30:00Z: release in progress; no changes", d.Reason);
    }

    [Fact]
    public void Decide_FreezeExpired_DecidesNormally()
    {
        var rig = Rig(s => s with { Freeze = new FreezeSpec { Until = EngineRig.T0.AddSeconds(-1), Reason = "old" } });

        Assert.Equal(100, rig.Decide(50_000).DesiredReplicas);
    }

    [Fact]
    public void Decide_Pinned_SetsPinnedCountWhateverTheMetric()
    {
        var rig = Rig(s => s with { Pin = new PinSpec { Replicas = 150, Until = EngineRig.T0.AddHours(2), Reason = "gala", By = "bob" } });

        var d = rig.Decide(1_000);

        Assert.Equal(150, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
        Assert.Equal("pin", d.Evidence.BoundBy);
        Assert.StartsWith("pinned at 150 by bob until", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_PinExpired_MetricsDecideAgain()
    {
        var rig = Rig(s => s with { Pin = new PinSpec { Replicas = 150, Until = EngineRig.T0, Reason = "gala" } });

        Assert.Equal(2, rig.Decide(1_000).DesiredReplicas);
    }
}
