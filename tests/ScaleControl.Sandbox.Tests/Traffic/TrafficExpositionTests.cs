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

    [Fact]
    public void Counters_CarryTheInstantTheyWereReadAt_GaugesDoNot()
    {
        // Prometheus stamps an untimestamped sample with the start of its scrape; a scrape answered 0.7 s late by a busy
        // sandbox then shifts the counter by 0.7 s of traffic, and a [10s] rate() read 107 for a flat 100 QPS in CI.
        var world = new TrafficTestWorld();
        world.Time.Advance(TimeSpan.FromMilliseconds(10_250));
        var now = world.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        var lines = TrafficExposition.Write(world.Simulator).Split('\n');

        Assert.Equal(["1025", now], Fields(lines, "http_requests_total{namespace=\"shop\",workload=\"checkout-api\"}"));
        Assert.Equal(now, Fields(lines, "http_request_duration_seconds_bucket{namespace=\"shop\",workload=\"checkout-api\",le=\"+Inf\"}")[1]);
        Assert.Equal(now, Fields(lines, "push_sent_total{namespace=\"shop\",workload=\"checkout-api\"}")[1]);
        Assert.Single(Fields(lines, "sandbox_traffic_demand_qps{namespace=\"shop\",workload=\"checkout-api\"}"));
    }

    private static double Requests(TrafficTestWorld world) => double.Parse(
        Fields(TrafficExposition.Write(world.Simulator).Split('\n'), "http_requests_total{namespace=\"shop\",workload=\"checkout-api\"}")[0],
        CultureInfo.InvariantCulture);

    /// <summary>The value and, when given, the timestamp of one series' sample line.</summary>
    private static string[] Fields(string[] lines, string series) =>
        lines.Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..].Split(' ');
}
