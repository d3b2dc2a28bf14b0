using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12, quiet days: a series that swings within a band is held at its swing's top once the engine has had to
/// undo a scale-down (SwingHold); a spike, an event that ends and a ramp are not held.
/// </summary>
public class SwingHoldTests
{
    private static ScalePolicy Policy() => ReplayBenchmark();

    /// <summary>Runs the loop every 5 s on a 15 s scrape of <paramref name="qps"/> (seconds → QPS), applying every change; returns the change times.</summary>
    private static List<double> Run(EngineRig rig, Func<double, double> qps, double seconds, List<double>? downs = null)
    {
        var changes = new List<double>();
        for (var t = 5.0; t <= seconds; t += 5)
        {
            rig.Advance(5);
            var d = rig.Decide(qps(Math.Floor(t / 15) * 15));
            if (d.DesiredReplicas != rig.Spec)
            {
                if (d.DesiredReplicas < rig.Spec)
                {
                    downs?.Add(t);
                }

                rig.Apply(d);
                changes.Add(t);
            }
        }

        return changes;
    }

    /// <summary>Swings between 30 and 45 pods of demand (15k–22.5k QPS) every 6 minutes, as the real WorldCup quiet day does.</summary>
    private static double Swing(double t)
    {
        var phase = t % 360 / 360;
        return 15_000 + (7_500 * (phase < 0.5 ? 2 * phase : 2 - (2 * phase)));
    }

    [Fact]
    public void Decide_SwingingSeries_IsHeldAtItsTopOnceAScaleDownWasUndone()
    {
        var rig = new EngineRig(Policy()) { Spec = 30, Ready = 30 };

        var downs = new List<double>();
        var changes = Run(rig, Swing, 3600, downs);

        // The first scale-down into a trough is undone on the next rise (the regret)...
        var firstDown = downs[0];
        var undone = changes.First(t => t > firstDown);
        Assert.True(undone - firstDown < 360, $"changes at {string.Join(", ", changes)}");

        // ... and from then on the swing's top is held: chasing would be two changes per 6-minute swing, the next
        // 15 minutes (two and a half swings) see none.
        Assert.DoesNotContain(changes, t => t > undone && t <= undone + 900);
        Assert.True(rig.Spec >= 45, $"held at {rig.Spec}, the swing's top needs 45");
        Assert.True(changes.Count <= 12, $"{changes.Count} changes in the hour: {string.Join(", ", changes)}");
    }

    [Fact]
    public void Decide_Ramp_IsStillFollowed()
    {
        var rig = new EngineRig(Policy()) { Spec = 20, Ready = 20 };

        // +3 % a minute for 30 minutes: every step goes up, none is undone, nothing is held.
        var changes = Run(rig, t => 10_000 * Math.Pow(1.03, t / 60), 1800);

        var need = 10_000 * Math.Pow(1.03, 30) / 500;
        Assert.True(rig.Spec >= need, $"{rig.Spec} pods for a need of {need:0.0}");
        Assert.True(changes.Count >= 5, $"{changes.Count} changes");
        Assert.False(SwingHold.Regretted(rig.History, rig.Now));
    }

    [Fact]
    public void DownWindow_AfterAnUndoneScaleDown_TroughInsideTheRange_WaitsTheHoldWindow()
    {
        var history = Measured(40, 44, 36, 42, 38);
        var now = EngineRig.T0.AddMinutes(10);
        history.RecordChange(now.AddMinutes(-8), 44, 38); // down...
        history.RecordChange(now.AddMinutes(-5), 38, 44); // ...undone

        Assert.Equal(SwingHold.HoldWindowSeconds, SwingHold.DownWindow(history, now, 37, 180));
        Assert.Equal(SwingHold.HoldWindowSeconds, SwingHold.DownWindow(history, now, 37, 300));
        Assert.Equal(0.1, SwingHold.UpTolerance(history, now, 0.04, 0.1));
    }

    [Fact]
    public void DownWindow_OneSpike_EventEnding_WideBand_ReleaseAsBefore()
    {
        var now = EngineRig.T0.AddMinutes(10);

        // One spike: up, then down. No scale-down was undone.
        var spike = Measured(40, 44, 36, 42, 38);
        spike.RecordChange(now.AddMinutes(-8), 30, 44);
        spike.RecordChange(now.AddMinutes(-5), 44, 38);
        Assert.Equal(180, SwingHold.DownWindow(spike, now, 37, 180));
        Assert.Equal(0.04, SwingHold.UpTolerance(spike, now, 0.04, 0.1));

        // A swing earlier, but now a fall below everything measured in 10 minutes: an event ends.
        var ending = Measured(40, 44, 36, 42, 38);
        ending.RecordChange(now.AddMinutes(-8), 44, 38);
        ending.RecordChange(now.AddMinutes(-5), 38, 44);
        Assert.Equal(180, SwingHold.DownWindow(ending, now, 30, 180));

        // Needs 20..110 within 10 minutes are no band: an event, released as usual.
        var wide = Measured(20, 110, 60, 90);
        wide.RecordChange(now.AddMinutes(-8), 110, 60);
        wide.RecordChange(now.AddMinutes(-5), 60, 90);
        Assert.Equal(180, SwingHold.DownWindow(wide, now, 60, 180));
        Assert.Equal(0.04, SwingHold.UpTolerance(wide, now, 0.04, 0.1));
    }

    [Fact]
    public void Regret_OlderThanTheRegretWindow_NoLongerCounts()
    {
        var now = EngineRig.T0.AddMinutes(10);
        var history = Measured(40, 44, 36, 42, 38);
        history.RecordChange(now - SwingHold.RegretWindow - TimeSpan.FromMinutes(2), 44, 38);
        history.RecordChange(now - SwingHold.RegretWindow + TimeSpan.FromMinutes(1), 38, 44);

        Assert.False(SwingHold.Regretted(history, now));
        Assert.Equal(180, SwingHold.DownWindow(history, now, 37, 180));
    }

    /// <summary>Measured recommendations spread over the 10 minutes before T0 + 10 min.</summary>
    private static PolicyHistory Measured(params int[] replicas)
    {
        var history = new PolicyHistory();
        for (var i = 0; i < replicas.Length; i++)
        {
            history.AddRecommendation(EngineRig.T0.AddMinutes(1 + (8.0 * i / replicas.Length)), replicas[i]);
        }

        return history;
    }
}
