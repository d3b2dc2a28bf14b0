using ScaleControl.Core.Signals;
using ScaleControl.Sandbox.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

public sealed class SandboxMetricSourceTests
{
    private const string CheckoutRate = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";
    private const string SearchErrorRatio = """sum(rate(http_request_errors_total{namespace="shop",workload="search-api"}[1m])) / sum(rate(http_requests_total{namespace="shop",workload="search-api"}[1m]))""";

    [Fact]
    public async Task QueryAsync_RequestRate_IsTheSimulatedDemand()
    {
        var world = new TrafficTestWorld();

        var reading = (await world.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];

        Assert.Equal(MetricStatus.Ok, reading.Status);
        Assert.Equal(100, reading.Value!.Value, 9);
        Assert.Equal(world.Time.GetUtcNow(), reading.SampleTime);
    }

    [Fact]
    public async Task QueryAsync_DuringAHotEvent_RisesWithTheWindow()
    {
        var world = new TrafficTestWorld();
        var hotEvent = world.StartHotEvent("checkout-api", multiplier: 5, ramp: 0, hold: 600, decay: 0);

        world.Time.SetUtcNow(hotEvent.StartsAt.AddSeconds(30));
        var halfWindow = (await world.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];
        world.Time.Advance(TimeSpan.FromSeconds(60));
        var fullWindow = (await world.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];

        Assert.Equal(300, halfWindow.Value!.Value, 9);
        Assert.Equal(500, fullWindow.Value!.Value, 9);
    }

    [Fact]
    public async Task QueryAsync_ErrorRatioOfAnOverloadedService_FollowsTheCapacityModel()
    {
        var world = new TrafficTestWorld();

        var reading = (await world.Source.QueryAsync([SearchErrorRatio], CancellationToken.None))[SearchErrorRatio];

        var conditions = world.Conditions("search-api");
        Assert.Equal(conditions.ErrorRatio, reading.Value!.Value, 9);
        Assert.InRange(reading.Value!.Value, 0.6, 0.7); // 120 QPS on one 40 QPS pod
    }

    [Fact]
    public async Task QueryAsync_LatencyQuantile_FallsInTheBucketOfTheModelledP99()
    {
        var world = new TrafficTestWorld();
        const string P99 = """histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="checkout-api"}[1m])))""";

        var reading = (await world.Source.QueryAsync([P99], CancellationToken.None))[P99];

        var modelled = world.Conditions("checkout-api").LatencyP99Seconds;
        var bounds = TrafficCounters.BucketBounds;
        var upper = bounds.First(b => b >= modelled);
        var lower = bounds.LastOrDefault(b => b < modelled);
        Assert.InRange(reading.Value!.Value, lower, upper);
    }

    [Fact]
    public async Task QueryAsync_WithoutSumOverSeveralServices_ReportsMultipleSeries()
    {
        var world = new TrafficTestWorld();
        const string PerService = """rate(http_requests_total{namespace="shop"}[1m])""";

        var reading = (await world.Source.QueryAsync([PerService], CancellationToken.None))[PerService];

        Assert.Equal(MetricStatus.MultipleSeries, reading.Status);
        Assert.Equal("query returned 2 series; aggregate with sum()", reading.Problem);
    }

    [Fact]
    public async Task QueryAsync_UnknownService_ReportsNoSeries()
    {
        var world = new TrafficTestWorld();
        const string Unknown = """sum(rate(http_requests_total{namespace="shop",workload="nope"}[1m]))""";

        var reading = (await world.Source.QueryAsync([Unknown], CancellationToken.None))[Unknown];

        Assert.Equal(MetricStatus.Empty, reading.Status);
    }

    [Theory]
    [InlineData("up")]
    [InlineData("""avg(rate(http_requests_total{workload="checkout-api"}[1m]))""")]
    [InlineData("""sum(rate(http_requests_total{workload=~"checkout.*"}[1m]))""")]
    [InlineData("""sum(rate(http_requests_total{job="sandbox"}[1m]))""")]
    [InlineData("""sum(rate(process_cpu_seconds_total[1m]))""")]
    [InlineData("""sum(rate(http_requests_total[1m])) / 2""")]
    [InlineData("""rate(http_request_duration_seconds_bucket{workload="checkout-api"}[1m])""")]
    [InlineData("""sum(rate(http_request_duration_seconds_bucket{workload="checkout-api"}[1m]))""")]
    [InlineData("""histogram_quantile(0.99, sum by (le) (rate(http_requests_total{workload="checkout-api"}[1m])))""")]
    [InlineData("")]
    public async Task QueryAsync_OutsideTheConvention_ReportsInvalidQueryAndWhatIsSupported(string query)
    {
        var world = new TrafficTestWorld();

        var reading = (await world.Source.QueryAsync([query], CancellationToken.None))[query];

        Assert.Equal(MetricStatus.InvalidQuery, reading.Status);
        Assert.False(string.IsNullOrEmpty(reading.Problem));
    }

    [Fact]
    public async Task QueryAsync_UnsupportedFunction_PointsToPrometheus()
    {
        var world = new TrafficTestWorld();
        const string Avg = """avg(rate(http_requests_total[1m]))""";

        var reading = (await world.Source.QueryAsync([Avg], CancellationToken.None))[Avg];

        Assert.Contains("set ScaleControl:Prometheus:Url", reading.Problem);
    }

    [Fact]
    public async Task QueryRangeAsync_OverAHotEvent_ReturnsOnePointPerStep()
    {
        var world = new TrafficTestWorld();
        var start = world.StartHotEvent("checkout-api", multiplier: 3, ramp: 0, hold: 600, decay: 0).StartsAt;
        world.Time.SetUtcNow(start.AddMinutes(3));

        var points = await world.Source.QueryRangeAsync(CheckoutRate, start.AddMinutes(-1), start.AddMinutes(3), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal(9, points.Count);
        Assert.Equal(100, points[0].Value, 9);
        Assert.Equal(200, points[3].Value, 9); // 30 s of 3x in the 1 m window
        Assert.Equal(300, points[4].Value, 9);
        Assert.Equal(300, points[^1].Value, 9);
    }

    [Fact]
    public async Task QueryRangeAsync_InvalidQuery_Throws()
    {
        var world = new TrafficTestWorld();
        var now = world.Time.GetUtcNow();

        await Assert.ThrowsAsync<ArgumentException>(() => world.Source.QueryRangeAsync("up", now.AddMinutes(-1), now, TimeSpan.FromSeconds(10), CancellationToken.None));
    }
}
