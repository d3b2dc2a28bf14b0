using ScaleControl.Sandbox.Traffic;
using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Tests.Traffic;

public sealed class TrafficSimulatorTests
{
    [Theory]
    [InlineData(0, 100)]     // starts at 1x
    [InlineData(30, 250)]    // half-way up the ramp to 4x
    [InlineData(90, 400)]    // hold
    [InlineData(150, 250)]   // half-way down the decay
    [InlineData(200, 100)]   // over
    public void HotEvent_RampHoldDecay_ShapesTheDemand(int secondsIn, double expectedQps)
    {
        var world = new TrafficTestWorld();
        var hotEvent = world.StartHotEvent("checkout-api", multiplier: 4, ramp: 60, hold: 60, decay: 60);

        world.Time.SetUtcNow(hotEvent.StartsAt.AddSeconds(secondsIn));

        Assert.Equal(expectedQps, world.Conditions("checkout-api").DemandQps, 9);
        Assert.Equal(120, world.Conditions("search-api").DemandQps, 9);
    }

    [Fact]
    public void HotEvents_SeveralOnOneService_AddTheirExtraDemand()
    {
        var world = new TrafficTestWorld();
        world.StartHotEvent("checkout-api", multiplier: 3, ramp: 0, hold: 600, decay: 0);
        world.StartHotEvent("checkout-api", multiplier: 3, ramp: 0, hold: 600, decay: 0);

        world.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(500, world.Conditions("checkout-api").DemandQps, 9);
        Assert.Equal(2, world.Simulator.Status().Single(s => s.Workload == "checkout-api").ActiveHotEvents.Length);
    }

    [Fact]
    public void Noise_SameSeedAndClock_GivesTheSameTraffic()
    {
        static double[] Demand(int seed)
        {
            var world = new TrafficTestWorld(o => (o.NoiseFraction, o.Seed) = (0.1, seed));
            return [.. Enumerable.Range(0, 20).Select(_ =>
            {
                world.Time.Advance(TimeSpan.FromSeconds(1));
                return world.Conditions("checkout-api").DemandQps;
            })];
        }

        Assert.Equal(Demand(7), Demand(7));
        Assert.NotEqual(Demand(7), Demand(8));
        Assert.InRange(Demand(7).Average(), 90, 110);
    }

    [Fact]
    public void DailyShape_EveningPeakAndNightValley()
    {
        var world = new TrafficTestWorld(o =>
        {
            o.LocalTimeOffset = TimeSpan.Zero;
            o.Services[0].Flat = false;
        });

        world.Time.SetUtcNow(new DateTimeOffset(2026, 11, 25, 20, 0, 0, TimeSpan.Zero));
        var evening = world.Conditions("checkout-api").DemandQps;
        world.Time.SetUtcNow(new DateTimeOffset(2026, 11, 26, 4, 0, 0, TimeSpan.Zero));
        var night = world.Conditions("checkout-api").DemandQps;

        Assert.Equal(100, evening, 9);
        Assert.Equal(25, night, 9);
    }

    [Fact]
    public void CapacityModel_FewerReadyPodsInTheCluster_RaisesErrorsAndLatency()
    {
        var cluster = new FakeCluster { Ready = { [("shop", "checkout-api")] = 4 } };
        var world = new TrafficTestWorld(cluster: cluster);
        var healthy = world.Conditions("checkout-api");

        cluster.Ready[("shop", "checkout-api")] = 1;
        world.Time.Advance(TimeSpan.FromSeconds(1));
        var starved = world.Conditions("checkout-api");

        Assert.Equal(200, healthy.CapacityQps);
        Assert.Equal(50, starved.CapacityQps);
        Assert.Equal(1, starved.ReadyReplicas);
        Assert.True(healthy.ErrorRatio < 0.01, $"healthy error ratio {healthy.ErrorRatio}");
        Assert.True(starved.ErrorRatio > 0.4, $"starved error ratio {starved.ErrorRatio}");
        Assert.True(starved.LatencyP99Seconds > 5 * healthy.LatencyP99Seconds);
    }

    [Fact]
    public void CapacityModel_WorkloadUnknownToTheCluster_UsesTheConfiguredReplicas()
    {
        var world = new TrafficTestWorld(cluster: new FakeCluster());

        Assert.Equal(4, world.Conditions("checkout-api").ReadyReplicas);
        Assert.Equal(1, world.Conditions("search-api").ReadyReplicas);
    }

    [Fact]
    public void Counters_OverTime_NeverDecrease()
    {
        var world = new TrafficTestWorld(o => o.NoiseFraction = 0.3);
        var previous = new double[3];

        for (var i = 0; i < 50; i++)
        {
            world.Time.Advance(TimeSpan.FromMilliseconds(700));
            var totals = world.Simulator.Read(h => h.TotalsAt(h.Services.First(), h.Now)!);
            Assert.True(totals[0] >= previous[0] && totals[1] >= previous[1] && totals[2] >= previous[2]);
            previous = totals;
        }

        Assert.True(previous[0] > 0);
    }

    [Fact]
    public void DemoMode_OverTwoHours_StartsRandomHotEventsWithinBounds()
    {
        var world = new TrafficTestWorld(o => (o.DemoMode, o.DemoMeanInterval) = (true, TimeSpan.FromMinutes(10)));

        world.Time.Advance(TimeSpan.FromHours(2));

        var events = world.Simulator.HotEvents().Where(e => e.Origin == HotEvent.OriginDemo).ToArray();
        Assert.InRange(events.Length, 3, 30);
        Assert.All(events, e => Assert.InRange(e.Multiplier, 2, 10));
    }

    [Fact]
    public void Replay_OfATrace_ReplacesTheBaselineUntilItEnds()
    {
        var world = new TrafficTestWorld();
        var trace = TrafficTrace.Parse("spike", ["seconds,qps", "0,10", "100,1010"]);

        var replay = world.Simulator.StartReplay("shop", "checkout-api", trace, speed: 2, absolute: true);
        world.Time.SetUtcNow(replay.StartedAt.AddSeconds(25)); // 50 s into the trace at double speed
        var during = world.Conditions("checkout-api").DemandQps;
        world.Time.Advance(TimeSpan.FromSeconds(60));
        var after = world.Conditions("checkout-api").DemandQps;

        Assert.Equal(510, during, 9);
        Assert.Equal(100, after, 9);
    }

    [Fact]
    public void Replay_Relative_ScalesTheTraceToTheServiceBaseline()
    {
        var world = new TrafficTestWorld();
        var trace = TrafficTrace.Parse("hot", ["# spikeStart=0", "seconds,qps", "0,10000", "60,40000", "600,40000"]);

        var replay = world.Simulator.StartReplay("shop", "search-api", trace, speed: 1);
        world.Time.SetUtcNow(replay.StartedAt.AddSeconds(120));

        Assert.Equal(0.012, replay.Scale, 9);
        Assert.Equal(480, world.Conditions("search-api").DemandQps, 9); // 4x the 120 QPS baseline
    }
}
