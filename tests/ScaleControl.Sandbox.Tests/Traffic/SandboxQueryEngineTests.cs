using ScaleControl.Sandbox.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>The engine behind the sandbox's Prometheus-compatible query API: values, series counts and errors.</summary>
public sealed class SandboxQueryEngineTests
{
    private const string CheckoutRate = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";
    private const string SearchErrorRatio = """sum(rate(http_request_errors_total{namespace="shop",workload="search-api"}[1m])) / sum(rate(http_requests_total{namespace="shop",workload="search-api"}[1m]))""";

    [Fact]
    public void Query_RequestRate_IsTheSimulatedDemand()
    {
        var world = new TrafficTestWorld();

        var (time, value) = world.Query(CheckoutRate).Single();

        Assert.Equal(100, value, 9);
        Assert.Equal(world.Time.GetUtcNow(), time);
    }

    [Fact]
    public void Query_DuringAHotEvent_RisesWithTheWindow()
    {
        var world = new TrafficTestWorld();
        var hotEvent = world.StartHotEvent("checkout-api", multiplier: 5, ramp: 0, hold: 600, decay: 0);

        world.Time.SetUtcNow(hotEvent.StartsAt.AddSeconds(30));
        var halfWindow = world.Query(CheckoutRate).Single().Value;
        world.Time.Advance(TimeSpan.FromSeconds(60));
        var fullWindow = world.Query(CheckoutRate).Single().Value;

        Assert.Equal(300, halfWindow, 9);
        Assert.Equal(500, fullWindow, 9);
    }

    [Fact]
    public void Query_ErrorRatioOfAnOverloadedService_FollowsTheCapacityModel()
    {
        var world = new TrafficTestWorld();

        var ratio = world.Query(SearchErrorRatio).Single().Value;

        var conditions = world.Conditions("search-api");
        Assert.Equal(conditions.ErrorRatio, ratio, 9);
        Assert.InRange(ratio, 0.6, 0.7); // 120 QPS on one 40 QPS pod
    }

    [Fact]
    public void Query_LatencyQuantile_FallsInTheBucketOfTheModelledP99()
    {
        var world = new TrafficTestWorld();
        const string P99 = """histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="shop",workload="checkout-api"}[1m])))""";

        var p99 = world.Query(P99).Single().Value;

        var modelled = world.Conditions("checkout-api").LatencyP99Seconds;
        var bounds = TrafficCounters.BucketBounds;
        var upper = bounds.First(b => b >= modelled);
        var lower = bounds.LastOrDefault(b => b < modelled);
        Assert.InRange(p99, lower, upper);
    }

    [Fact]
    public void Query_WithoutSumOverSeveralServices_IsOneSeriesPerService()
    {
        var world = new TrafficTestWorld();
        const string PerService = """rate(http_requests_total{namespace="shop"}[1m])""";

        var answer = world.Query(PerService);

        Assert.Equal(200, answer.Status);
        Assert.Equal(2, answer.Result.Count);
    }

    [Fact]
    public void Query_UnknownService_IsAnEmptyVector()
    {
        var world = new TrafficTestWorld();
        const string Unknown = """sum(rate(http_requests_total{namespace="shop",workload="nope"}[1m]))""";

        var answer = world.Query(Unknown);

        Assert.Equal(200, answer.Status);
        Assert.Equal("vector", answer.ResultType);
        Assert.Empty(answer.Result);
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
    public void Query_OutsideTheConvention_IsBadDataSayingWhatIsSupported(string query)
    {
        var world = new TrafficTestWorld();

        var answer = world.Query(query);

        Assert.Equal(400, answer.Status);
        Assert.Equal("error", answer.Body["status"]!.GetValue<string>());
        Assert.Equal("bad_data", answer.ErrorType);
        Assert.False(string.IsNullOrEmpty(answer.Error));
    }

    [Theory]
    [InlineData("""avg(rate(http_requests_total[1m]))""")]
    [InlineData("""sum(rate(http_requests_total{service="checkout-api"}[1m]))""")] // samples/policies' query
    [InlineData("""sum(rate(http_requests_total{workload=~"checkout.*"}[1m]))""")]
    public void Query_OutsideTheSubset_PointsToPrometheus(string query)
    {
        var world = new TrafficTestWorld();

        var answer = world.Query(query);

        Assert.Contains("set ScaleControl:Prometheus:Url", answer.Error);
    }

    [Fact]
    public void QueryRange_OverAHotEvent_ReturnsOnePointPerStep()
    {
        var world = new TrafficTestWorld();
        var start = world.StartHotEvent("checkout-api", multiplier: 3, ramp: 0, hold: 600, decay: 0).StartsAt;
        world.Time.SetUtcNow(start.AddMinutes(3));

        var points = world.QueryRange(CheckoutRate, start.AddMinutes(-1), start.AddMinutes(3), TimeSpan.FromSeconds(30)).Points();

        Assert.Equal(9, points.Count);
        Assert.Equal(100, points[0].Value, 9);
        Assert.Equal(200, points[3].Value, 9); // 30 s of 3x in the 1 m window
        Assert.Equal(300, points[4].Value, 9);
        Assert.Equal(300, points[^1].Value, 9);
    }

    [Fact]
    public void QueryRange_InvalidQuery_IsBadData()
    {
        var world = new TrafficTestWorld();
        var now = world.Time.GetUtcNow();

        var answer = world.QueryRange("up", now.AddMinutes(-1), now, TimeSpan.FromSeconds(10));

        Assert.Equal(400, answer.Status);
        Assert.Equal("bad_data", answer.ErrorType);
    }

    [Fact]
    public void QueryRange_PastTheSimulatorsNow_StopsAtNow()
    {
        var world = new TrafficTestWorld();
        var now = world.Time.GetUtcNow();

        var points = world.QueryRange(CheckoutRate, now.AddMinutes(-1), now.AddMinutes(5), TimeSpan.FromSeconds(30)).Points();

        Assert.Equal(3, points.Count);
        Assert.Equal(now, points[^1].Time);
    }
}
