using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>
/// Issue 12, over-provisioning: the end of an event (the level multiplied beyond the noise, then a significant decline
/// to at most 2/3 of every count held in the last 5 minutes) is released over 60 s instead of the 180 s decline window;
/// not for a series whose scale-downs the engine has had to undo back to their level (NASA's bursts), nor for a collapse
/// below half of every count held in the last 20 minutes (an outage, not an end).
/// </summary>
public class EventEndTests
{
    private static ScalePolicy Policy() => ReplayBenchmark();

    /// <summary>10k QPS, 4x within a minute at 600 s, held until 1500 s, back to 12k within a minute; ±2 % scrape to scrape.</summary>
    private static double Event(double t) => Level(t) * (1 + (0.02 * Math.Sin(t * 0.37)));

    private static double Level(double t) =>
        t < 600 ? 10_000 : t < 660 ? 10_000 + (30_000 * (t - 600) / 60) : t < 1500 ? 40_000 : t < 1560 ? 40_000 - (28_000 * (t - 1500) / 60) : 12_000;

    /// <summary>The same event, but at 1500 s its traffic vanishes within a minute to 1k QPS, half the level before it (an upstream outage).</summary>
    private static double Collapse(double t) => t < 1500 ? Event(t) : t < 1560 ? 40_000 - (39_000 * (t - 1500) / 60) : 1_000;

    /// <summary>Runs the loop every 5 s on a 15 s scrape from <paramref name="start"/>, applying every change; returns when the count first fell to <paramref name="atMost"/>.</summary>
    private static double? ReleasedAt(EngineRig rig, Func<double, double> qps, double start, double end, int atMost)
    {
        for (var t = start; t <= end; t += 5)
        {
            rig.Advance(5);
            var d = rig.Decide(qps(Math.Floor(t / 15) * 15));
            if (d.DesiredReplicas != rig.Spec)
            {
                rig.Apply(d);
            }

            if (t > 1500 && rig.Spec <= atMost)
            {
                return t;
            }
        }

        return null;
    }

    [Fact]
    public void Decide_EventEnding_IsReleasedWithinAMinuteOfItsDecline()
    {
        var rig = new EngineRig(Policy()) { Spec = 20, Ready = 20 };

        var at = ReleasedAt(rig, Event, 5, 2100, atMost: 60);

        // The decline ends at 1560 s; the 180 s decline window alone holds the event's 82 pods until ≈ 1730 s.
        Assert.NotNull(at);
        Assert.InRange(at!.Value, 1560, 1650);
    }

    [Fact]
    public void Decide_EventEnding_AfterAnUndoneScaleDown_WaitsForTheDeclineWindow()
    {
        var rig = new EngineRig(Policy()) { Spec = 20, Ready = 20 };
        // Before the event the engine scaled down and had to go back up to where it was (a burst that came back).
        ReleasedAt(rig, Event, 5, 560, atMost: 60);
        rig.History.RecordChange(rig.Now, 20, 16);
        ReleasedAt(rig, Event, 565, 580, atMost: 60);
        rig.History.RecordChange(rig.Now, 16, 20);

        var at = ReleasedAt(rig, Event, 585, 2100, atMost: 60);

        Assert.NotNull(at);
        Assert.True(at > 1650, $"released at {at}");
    }

    [Fact]
    public void Decide_TrafficCollapseBelowThePreEventLevel_IsNoEventEnd_WaitsForTheDeclineWindow()
    {
        var rig = new EngineRig(Policy()) { Spec = 20, Ready = 20 };

        var at = ReleasedAt(rig, Collapse, 5, 2100, atMost: 60);

        // Traffic that vanished at once tends to come back at once: the 180 s decline window holds the pods.
        Assert.NotNull(at);
        Assert.True(at > 1650, $"released at {at}");
    }

    [Fact]
    public void Ended_NeedsADoublingBeyondTheNoiseAWatchedCountHeldAboveTheNeedAndNoUndoneScaleDown()
    {
        var now = EngineRig.T0.AddMinutes(30);
        var history = new PolicyHistory();
        history.RecordChange(now.AddMinutes(-20), 20, 80);
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 80, wanted: 53)); // nothing watched yet: just started
        history.AddRecommendation(now.AddMinutes(-6), 80);

        Assert.True(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 80, wanted: 53));
        Assert.False(EventEnd.Ended(history, now, Math.Log(1.9), 0.01, current: 80, wanted: 30)); // no event: a swing
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.06, current: 80, wanted: 30)); // within 25 noise units
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 80, wanted: 54)); // 80 < 1.5 × 54: a dip
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 80, wanted: 39)); // < half of every count held in 20 minutes: a collapse
        history.RecordChange(now.AddMinutes(-4), 80, 60); // a count of 60 held within 5 minutes
        history.RecordChange(now.AddMinutes(-3), 60, 62);
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 62, wanted: 41));
        Assert.True(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 62, wanted: 40));
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 62, wanted: 29)); // < half of the 60 held
        history.RecordChange(now.AddMinutes(-2), 62, 80); // back up to where the scale-down left: undone
        Assert.False(EventEnd.Ended(history, now, Math.Log(4), 0.01, current: 80, wanted: 20));
    }
}
