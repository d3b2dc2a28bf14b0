using ScaleControl.Sandbox.Traffic;
using ScaleControl.Simulation;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>
/// A push campaign in the simulator, shaped by the replay's push trace: the pushes are counted at once, the opens
/// arrive a minute or two later, as a leading signal needs.
/// </summary>
public sealed class PushCampaignTests
{
    private const string Pushes = """sum(rate(push_sent_total{namespace="shop",workload="checkout-api"}[1m]))""";
    private const string Requests = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";

    private static readonly PushShape s_shape = PushShape.From(TrafficTrace.Load(Path.Combine(SamplePolicyQueries.TracesDirectory, "push-30m-users.csv")), out _)!;

    [Fact]
    public void Shape_OfTheReplayTrace_SendsForTwoMinutesAndTheTrafficFollowsInOneToTwo()
    {
        Assert.InRange(s_shape.SendSeconds, 170, 185);   // the column as rate[1m] shows a 2-minute send
        Assert.InRange(s_shape.ArrivalSeconds, 95, 115); // the opens follow the first push by 90-150 s
        Assert.Equal(2400, s_shape.DurationSeconds);
    }

    [Fact]
    public void Shape_TraceWithoutAPushColumn_SaysSo()
    {
        var trace = TrafficTrace.Parse("flash-sale", ["seconds,qps", "0,100", "600,900"]);

        Assert.Null(PushShape.From(trace, out var problem));
        Assert.Equal("trace flash-sale has no 'push' column (pushes sent per second)", problem);
    }

    [Fact]
    public void Campaign_ToOneMillionUsers_SendsThemAllAndBringsTheTracesOpenRate()
    {
        var world = new TrafficTestWorld();
        var before = world.Conditions("checkout-api").DemandQps;
        var campaign = world.Simulator.StartPushCampaign("shop", "checkout-api", 1_000_000, s_shape)!;

        world.Time.SetUtcNow(campaign.StartsAt.AddSeconds(100)); // the last minute at the full send rate
        var peakPushes = world.Query(Pushes).Single().Value;
        world.Time.SetUtcNow(campaign.StartsAt.AddSeconds(300)); // the opens held
        var during = world.Conditions("checkout-api").DemandQps;
        world.Time.SetUtcNow(campaign.EndsAt.AddSeconds(60));
        var sent = world.Simulator.Read(h => h.CountersSinceStart(h.Services.First(s => s.Workload == "checkout-api"))[TrafficCounters.Pushes]);

        Assert.InRange(sent, 999_000, 1_001_000);
        // The trace's conversion: 30k QPS for 250k pushes/s.
        Assert.InRange((during - before) / peakPushes, 0.11, 0.13);
        Assert.Equal(before, world.Conditions("checkout-api").DemandQps, 9);
        Assert.Equal(0, world.Conditions("search-api").DemandQps - 120, 9);
    }

    [Fact]
    public void Campaign_AsPrometheusSeesIt_ThePushRateLeadsTheTrafficByOneToTwoMinutes()
    {
        var world = new TrafficTestWorld();
        var baseline = world.Query(Requests).Single().Value;
        var campaign = world.Simulator.StartPushCampaign("shop", "checkout-api", 1_000_000, s_shape)!;
        DateTimeOffset? signalAt = null, trafficAt = null;

        // A 15 s scrape grid, as a Prometheus reads it. "Seen" means 10 % more traffic: announced (0.1 QPS per push/s,
        // the sample policy's conversion) or arrived.
        for (var t = campaign.StartsAt; t < campaign.StartsAt.AddMinutes(5) && trafficAt is null; t = t.AddSeconds(15))
        {
            world.Time.SetUtcNow(t);
            signalAt ??= 0.1 * world.Query(Pushes).Single().Value > 0.1 * baseline ? t : null;
            trafficAt ??= world.Query(Requests).Single().Value > 1.1 * baseline ? t : null;
        }

        Assert.NotNull(signalAt);
        Assert.NotNull(trafficAt);
        Assert.InRange((trafficAt.Value - signalAt.Value).TotalSeconds, 60, 120);
        Assert.InRange((trafficAt.Value - campaign.StartsAt).TotalSeconds, 90, 150);
        Assert.Equal(campaign.TrafficFrom, campaign.StartsAt.AddSeconds(s_shape.ArrivalSeconds));
    }

    [Fact]
    public void Campaigns_AtMostFiftyRunning_TheNextOnceOneHasEnded()
    {
        var world = new TrafficTestWorld();
        var started = Enumerable.Range(0, TrafficSimulator.MaxRunningPushCampaigns).Select(_ => world.Simulator.StartPushCampaign("shop", "search-api", 1000, s_shape)).ToList();

        var refused = world.Simulator.StartPushCampaign("shop", "search-api", 1000, s_shape);
        world.Time.SetUtcNow(started[0]!.EndsAt.AddSeconds(1));
        var later = world.Simulator.StartPushCampaign("shop", "search-api", 1000, s_shape);

        Assert.All(started, Assert.NotNull);
        Assert.Null(refused);
        Assert.NotNull(later);
    }
}
