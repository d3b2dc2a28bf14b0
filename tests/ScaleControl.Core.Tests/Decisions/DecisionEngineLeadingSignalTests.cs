using ScaleControl.Core.Decisions;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Signals;
using static ScaleControl.Core.Tests.TestPolicies;

namespace ScaleControl.Core.Tests.Decisions;

/// <summary>Leading signals and expected events: capacity before the traffic, as a floor on top of the metrics.</summary>
public class DecisionEngineLeadingSignalTests
{
    private const string PushQuery = "sum(rate(push_sent_total[1m]))";

    // 0.05 requests per push: 20k pushes/s announce 1,000 QPS more.
    private static readonly LeadingSignalSpec s_push = new()
    {
        Name = "push",
        Query = PushQuery,
        RequestsPerUnit = 0.05,
        LeadSeconds = 90,
        HoldSeconds = 600,
        Headroom = 0.1,
    };

    /// <summary>The signal the tests use: 20k pushes/s announce 1,000 QPS more.</summary>
    internal static LeadingSignalSpec Push => s_push;

    internal static EngineRig Rig(int max = 200, ScaleMode mode = ScaleMode.Auto, LeadingSignalSpec? signal = null)
    {
        var policy = mode == ScaleMode.Approval ? Approval() : Auto(min: 1, max: max, target: 100);
        return new EngineRig(WithSpec(EngineRig.Unlimited(policy), s => s with
        {
            MaxReplicas = max,
            Metrics = [s.Metrics[0] with { Target = 100 }],
            LeadingSignal = signal ?? s_push,
        }));
    }

    /// <summary>One evaluation 5 s later with the metric and the signal as read now.</summary>
    internal static Decision Step(EngineRig rig, double qps, double? pushes)
    {
        rig.Advance(5);
        var qpsQuery = rig.Policy.Spec.Metrics[0].Query;
        var readings = new Dictionary<string, MetricReading> { [qpsQuery] = MetricReading.Ok(qpsQuery, qps, rig.Now) };
        if (pushes is { } p)
        {
            readings[PushQuery] = MetricReading.Ok(PushQuery, p, rig.Now);
        }

        return rig.Decide(readings);
    }

    private static Decision Quiet(EngineRig rig, int evaluations, double pushes = 0)
    {
        Decision last = default;
        for (var i = 0; i < evaluations; i++)
        {
            last = Step(rig, 1_000, pushes);
        }

        return last;
    }

    [Fact]
    public void Decide_SignalRisesBeforeTraffic_RaisesFloorWhileTheMetricIsFlat()
    {
        var rig = Rig();
        Assert.Equal(10, Quiet(rig, 24).DesiredReplicas);

        var d = Step(rig, 1_000, 20_000);

        // (1,000 now + 1,000 announced) x 1.1 / 100 = 22, though the metric has not moved.
        Assert.Equal(22, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.ApplyNow, d.Outcome);
        Assert.Equal("signal:push", d.Evidence.BoundBy);
        Assert.Contains("leading signal push 20k: +1k qps expected within 90s", d.Reason, StringComparison.Ordinal);
        Assert.Contains("floor -> 22", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FloorAboveMaxReplicas_CappedByMax()
    {
        var rig = Rig(max: 15);
        Quiet(rig, 24);

        var d = Step(rig, 1_000, 20_000);

        Assert.Equal(15, d.DesiredReplicas);
        Assert.Contains("floor -> 15", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AfterTheBurst_FloorHoldsThenEndsAfterHoldSeconds()
    {
        var rig = Rig();
        Quiet(rig, 24);
        Step(rig, 1_000, 20_000);
        rig.Apply(Step(rig, 1_000, 20_000));

        // The push is over and the traffic never came: the floor holds for the lead and the hold (the traffic would
        // have arrived 90 s after the push and lasted 600 s), cut by half once the traffic was due and did not come
        // (LeadingSignalRescaleTests), then lets go.
        var held = Quiet(rig, 137); // 685 s
        Assert.Equal(17, held.DesiredReplicas);
        Assert.Contains("leading signal push floor -> 17 (rescaled x0.5, clamped from x0: +0 observed of +1k expected), held 685s of 690s", held.Reason, StringComparison.Ordinal);

        var after = Quiet(rig, 2); // 695 s after the last rise
        Assert.Equal(10, after.DesiredReplicas);
        Assert.DoesNotContain("leading signal", after.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_LeadLongerThanTheHold_FloorStaysUntilTheTrafficHasComeAndGone()
    {
        // A push 10 minutes ahead of its traffic, which lasts a minute: held for the minute after the push alone, the
        // floor was gone for 9 minutes when the traffic came.
        var rig = Rig(signal: s_push with { LeadSeconds = 600, HoldSeconds = 60 });
        Quiet(rig, 24);
        rig.Apply(Step(rig, 1_000, 20_000));

        var beforeTraffic = Quiet(rig, 118); // 590 s after the push: the traffic is 10 s away
        Assert.Equal(22, beforeTraffic.DesiredReplicas);
        Assert.Contains("leading signal push floor -> 22, held 590s of 660s", beforeTraffic.Reason, StringComparison.Ordinal);

        var afterTraffic = Quiet(rig, 15); // 665 s: the announced minute of traffic is over
        Assert.Equal(10, afterTraffic.DesiredReplicas);
    }

    [Fact]
    public void Decide_TrafficArrivesWhileSignalStaysHigh_NotCountedTwice()
    {
        var rig = Rig(signal: s_push with { HoldSeconds = 0 });
        Quiet(rig, 24);
        Step(rig, 1_000, 20_000);

        // 90 s later the announced 1,000 QPS are in the metric; the signal that announced them is not extra any more.
        Decision d = default;
        for (var i = 0; i < 19; i++)
        {
            d = Step(rig, 2_000, 20_000);
        }

        Assert.Null(d.SignalFloor);

        // What it asked within the lead holds for a lead more (the traffic it announced may come that late), then the
        // metric alone decides.
        for (var i = 0; i < 18; i++)
        {
            d = Step(rig, 2_000, 20_000);
        }

        Assert.Equal(20, d.DesiredReplicas);
        Assert.DoesNotContain("leading signal", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SteadyOrNoisySignal_NoFloor()
    {
        var rig = Rig();
        Quiet(rig, 24, pushes: 20_000);

        // +1,000 pushes/s announce 50 QPS: inside the 10% tolerance of 1,000 QPS, so noise adds no headroom.
        var d = Step(rig, 1_000, 21_000);

        Assert.Equal(10, d.DesiredReplicas);
        Assert.Null(d.SignalFloor);
    }

    [Fact]
    public void Decide_SignalUnreadable_NoFloorAndTheMetricStillDecides()
    {
        var rig = Rig();
        Quiet(rig, 24);

        var d = Step(rig, 3_000, pushes: null);

        Assert.Equal(30, d.DesiredReplicas);
        Assert.DoesNotContain("leading signal", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_SignalQueryBroken_NoFloorAndTheReasonSaysWhy()
    {
        // A typo in the signal's PromQL gives no floor; the SRE must see why in the reason (status, describe, whatif).
        var rig = Rig();
        Quiet(rig, 24);
        rig.Advance(5);
        var qpsQuery = rig.Policy.Spec.Metrics[0].Query;
        var readings = new Dictionary<string, MetricReading>
        {
            [qpsQuery] = MetricReading.Ok(qpsQuery, 3_000, rig.Now),
            [PushQuery] = MetricReading.Failed(PushQuery, MetricStatus.InvalidQuery, "unknown metric 'push_sent_totl'"),
        };

        var d = rig.Decide(readings);

        Assert.Equal(30, d.DesiredReplicas);
        Assert.Contains("leading signal push not read (InvalidQuery: unknown metric 'push_sent_totl'), no floor from it", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ApprovalPolicy_SignalFloorIsProposedNotApplied()
    {
        var rig = Rig(mode: ScaleMode.Approval);
        Quiet(rig, 24);

        var d = Step(rig, 1_000, 20_000);

        Assert.Equal(22, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Propose, d.Outcome);
    }

    [Fact]
    public void Decide_ExpectedEvent_FloorFromLeadBeforeAtUntilItEnds()
    {
        var at = EngineRig.T0.AddMinutes(10);
        var rig = Rig(signal: null);
        rig.Policy = WithSpec(rig.Policy, s => s with
        {
            LeadingSignal = null,
            ExpectedEvents = [new ExpectedEventSpec { Name = "push-2000", At = at, DurationSeconds = 1200, LeadSeconds = 120, Replicas = 36, Reason = "push to 30M users", By = "zhangsan" }],
        });

        Assert.Equal(10, Quiet(rig, 90).DesiredReplicas); // 7.5 min: before the lead
        var early = Quiet(rig, 6); // 8 min: inside the lead
        Assert.Equal(36, early.DesiredReplicas);
        Assert.Equal("event:push-2000", early.Evidence.BoundBy);
        Assert.Contains("expected event push-2000 at 10:10Z by zhangsan (push to 30M users) floor -> 36", early.Reason, StringComparison.Ordinal);

        rig.Advance(TimeSpan.FromMinutes(22).TotalSeconds); // 30 min: the event has ended
        Assert.Equal(10, Step(rig, 1_000, null).DesiredReplicas);
    }

    [Fact]
    public void Decide_ExpectedEventRecordedInLocalTime_ReasonSaysTheTimeInUtc()
    {
        // scalectl sends --at 19:20 in the caller's zone (+08:00); the reason's 'Z' must be the UTC clock, not 19:20.
        var at = EngineRig.T0.AddMinutes(10).ToOffset(TimeSpan.FromHours(8));
        var rig = Rig(signal: null);
        rig.Policy = WithSpec(rig.Policy, s => s with
        {
            LeadingSignal = null,
            ExpectedEvents = [new ExpectedEventSpec { Name = "push", At = at, DurationSeconds = 600, LeadSeconds = 900, Replicas = 36, Reason = "push" }],
        });

        var d = Quiet(rig, 1);

        Assert.Contains($"expected event push at {at.UtcDateTime:HH:mm}Z", d.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain($"at {at:HH:mm}Z", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ExpectedEventOnApprovalPolicy_Proposes()
    {
        var rig = Rig(mode: ScaleMode.Approval);
        rig.Policy = WithSpec(rig.Policy, s => s with
        {
            LeadingSignal = null,
            ExpectedEvents = [new ExpectedEventSpec { Name = "gala", At = EngineRig.T0, DurationSeconds = 600, Replicas = 500, Reason = "gala" }],
        });

        var d = Step(rig, 1_000, null);

        Assert.Equal(rig.Policy.Spec.MaxReplicas, d.DesiredReplicas);
        Assert.Equal(DecisionOutcome.Propose, d.Outcome);
    }
}
