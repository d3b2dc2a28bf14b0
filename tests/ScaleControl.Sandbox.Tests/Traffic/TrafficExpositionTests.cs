using System.Globalization;
using ScaleControl.Sandbox.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>What a real Prometheus scrapes from <c>/sandbox/metrics</c>.</summary>
public class TrafficExpositionTests
{
    [Fact]
    public void Counters_StartAtZeroWithTheProcess_AsAnInstrumentedServiceDoes()
    {
        // After a restart Prometheus sees the counter drop and, taking it for a reset, counts the whole new value as
        // increase in one scrape. The warm-up history (5 min of 100 QPS here) exposed as the starting total made every
        // policy read ~25x its traffic for a minute (live: an Auto StatefulSet went 11 -> 20).
        var world = new TrafficTestWorld();

        Assert.Equal(0, Requests(world));

        world.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1_000, Requests(world), precision: 6); // 100 QPS for 10 s
    }

    private static double Requests(TrafficTestWorld world)
    {
        var line = TrafficExposition.Write(world.Simulator).Split('\n')
            .Single(l => l.StartsWith("http_requests_total{namespace=\"shop\",workload=\"checkout-api\"}", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
