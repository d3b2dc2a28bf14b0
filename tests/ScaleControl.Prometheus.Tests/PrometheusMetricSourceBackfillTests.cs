using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Signals;
using ScaleControl.Prometheus.Api;
using ScaleControl.Prometheus.Tests.Infrastructure;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Prometheus.Tests;

/// <summary>
/// PromQL answers over a backfilled, recorded hot event: the data never moves, so the answers are exact.
/// The source's clock is fake and set inside the recording, which is the instant every query is evaluated at.
/// </summary>
public sealed class PrometheusMetricSourceBackfillTests(BackfilledPrometheusFixture prometheus) : IClassFixture<BackfilledPrometheusFixture>
{
    private const string CheckoutRate = """sum(rate(http_requests_total{namespace="shop",workload="checkout-api"}[1m]))""";

    private readonly FakeTimeProvider _time = new(RecordedHotEvent.Start);

    [Theory]
    [InlineData(600)]   // baseline
    [InlineData(1380)]  // mid-ramp
    [InlineData(1800)]  // hold
    [InlineData(2400)]  // decay
    public async Task QueryAsync_InsideRecordedHotEvent_ReturnsExactRateAtTheSourceClock(int second)
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddSeconds(second));

        var readings = await factory.Source.QueryAsync([CheckoutRate], CancellationToken.None);

        var reading = readings[CheckoutRate];
        Assert.Equal(MetricStatus.Ok, reading.Status);
        Assert.Equal(RecordedHotEvent.Rate(RecordedHotEvent.CheckoutQps, second, 60), reading.Value!.Value, 9);
        Assert.Equal(_time.GetUtcNow(), reading.SampleTime);
    }

    [Fact]
    public async Task QueryAsync_HoldVersusBaseline_SeesTheFourfoldSurge()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(10));
        var before = (await factory.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));
        var during = (await factory.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];

        Assert.Equal(100, before.Value!.Value, 9);
        Assert.Equal(400, during.Value!.Value, 9);
    }

    [Fact]
    public async Task QueryAsync_RawCounterAndScalar_ReturnTheRecordedValuesExactly()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddSeconds(1800));
        const string Counter = RecordedHotEvent.Checkout;
        const string Scalar = """scalar(sum(http_requests_total{namespace="shop"}))""";

        var readings = await factory.Source.QueryAsync([Counter, Scalar], CancellationToken.None);

        var checkout = RecordedHotEvent.Counter(RecordedHotEvent.CheckoutQps, 1800);
        var search = RecordedHotEvent.Counter(RecordedHotEvent.SearchQps, 1800);
        Assert.Equal(checkout, readings[Counter].Value);
        Assert.Equal(checkout + search, readings[Scalar].Value);
    }

    [Fact]
    public async Task QueryAsync_SeveralSeries_ReportsMultipleSeriesWithAdvice()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));
        const string PerWorkload = """rate(http_requests_total{namespace="shop"}[1m])""";

        var reading = (await factory.Source.QueryAsync([PerWorkload], CancellationToken.None))[PerWorkload];

        Assert.Equal(MetricStatus.MultipleSeries, reading.Status);
        Assert.Equal("query returned 2 series; aggregate with sum()", reading.Problem);
        Assert.False(reading.IsUsable);
    }

    [Fact]
    public async Task QueryAsync_NoMatchingSeries_ReportsEmpty()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));
        const string Missing = """sum(rate(http_requests_total{workload="no-such-api"}[1m]))""";

        var reading = (await factory.Source.QueryAsync([Missing], CancellationToken.None))[Missing];

        Assert.Equal(MetricStatus.Empty, reading.Status);
        Assert.Equal("query returned no series", reading.Problem);
    }

    [Theory]
    [InlineData("vector(0) / 0", "value is NaN")]
    [InlineData("vector(1) / 0", "value is +Inf")]
    [InlineData("vector(-1) / 0", "value is -Inf")]
    public async Task QueryAsync_NonFiniteValue_ReportsNotANumber(string query, string problem)
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));

        var reading = (await factory.Source.QueryAsync([query], CancellationToken.None))[query];

        Assert.Equal(MetricStatus.NotANumber, reading.Status);
        Assert.Equal(problem, reading.Problem);
        Assert.Null(reading.Value);
    }

    [Fact]
    public async Task QueryAsync_BadPromQL_ReportsInvalidQueryWithPrometheusErrorText()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        const string Broken = """sum(rate(http_requests_total[1m])""";

        var reading = (await factory.Source.QueryAsync([Broken], CancellationToken.None))[Broken];

        Assert.Equal(MetricStatus.InvalidQuery, reading.Status);
        Assert.Contains("parse error", reading.Problem);
        Assert.Contains("unclosed left parenthesis", reading.Problem);
    }

    [Theory]
    [InlineData("""http_requests_total{workload="checkout-api"}[1m]""", "range vector")]
    [InlineData("\"hello\"", "string")]
    public async Task QueryAsync_ResultThatIsNotOneNumber_ReportsInvalidQuery(string query, string mentioned)
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));

        var reading = (await factory.Source.QueryAsync([query], CancellationToken.None))[query];

        Assert.Equal(MetricStatus.InvalidQuery, reading.Status);
        Assert.Contains(mentioned, reading.Problem);
    }

    [Fact]
    public async Task QueryAsync_UsePost_GivesTheSameAnswerAsGet()
    {
        using var get = new MetricSourceFactory(prometheus.Url, time: _time);
        using var post = new MetricSourceFactory(prometheus.Url, new Dictionary<string, string?> { ["UsePost"] = "true" }, _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddSeconds(1380));

        var viaGet = (await get.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];
        var viaPost = (await post.Source.QueryAsync([CheckoutRate], CancellationToken.None))[CheckoutRate];

        Assert.Equal(MetricStatus.Ok, viaPost.Status);
        Assert.Equal(viaGet.Value, viaPost.Value);
    }

    [Fact]
    public async Task QueryAsync_ManyPoliciesSharingQueries_SendsOneRequestPerDistinctExpression()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, new Dictionary<string, string?> { ["MaxConcurrency"] = "2" }, _time);
        _time.SetUtcNow(RecordedHotEvent.Start.AddMinutes(30));
        var distinct = Enumerable.Range(1, 5).Select(i => $"sum(rate(http_requests_total[{i}m]))").ToArray();
        var perPolicy = Enumerable.Range(0, 40).Select(i => distinct[i % distinct.Length]).ToArray();
        var before = await CountQueryRequestsAsync();

        var readings = await factory.Source.QueryAsync(perPolicy, CancellationToken.None);

        // Prometheus counts a request after answering it: wait for the counter to catch up (however slowly the
        // machine runs), then a moment more in which a surplus request would show.
        var after = await CountQueryRequestsAsync();
        var settling = Stopwatch.StartNew();
        while (after - before < distinct.Length && settling.Elapsed < Patience.Of(5))
        {
            await Task.Delay(50);
            after = await CountQueryRequestsAsync();
        }

        await Task.Delay(100);
        after = await CountQueryRequestsAsync();
        Assert.Equal(distinct.Length, readings.Count);
        Assert.All(readings.Values, r => Assert.Equal(MetricStatus.Ok, r.Status));
        Assert.Equal(distinct.Length, after - before);
    }

    [Fact]
    public async Task QueryRangeAsync_OverTheHotEvent_ReturnsTheRecordedCurvePointByPoint()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        var start = RecordedHotEvent.Start.AddMinutes(15);
        var end = RecordedHotEvent.Start.AddMinutes(50);

        var points = await factory.Source.QueryRangeAsync(CheckoutRate, start, end, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(36, points.Count);
        foreach (var point in points)
        {
            var second = (int)(point.Time - RecordedHotEvent.Start).TotalSeconds;
            Assert.Equal(RecordedHotEvent.Rate(RecordedHotEvent.CheckoutQps, second, 60), point.Value, 9);
        }

        Assert.Equal(400, points.Max(p => p.Value), 9);
    }

    [Fact]
    public async Task QueryRangeAsync_SeveralSeries_ThrowsMultipleSeries()
    {
        using var factory = new MetricSourceFactory(prometheus.Url, time: _time);
        var start = RecordedHotEvent.Start.AddMinutes(15);

        var error = await Assert.ThrowsAsync<PrometheusQueryException>(() => factory.Source.QueryRangeAsync(
            "rate(http_requests_total[1m])", start, start.AddMinutes(5), TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Equal(MetricStatus.MultipleSeries, error.Status);
    }

    /// <summary>Prometheus' own count of instant-query API calls: an independent witness of what the source sent.</summary>
    private async Task<double> CountQueryRequestsAsync()
    {
        using var http = new HttpClient { BaseAddress = prometheus.Url };
        var text = await http.GetStringAsync("metrics");
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith("prometheus_http_requests_total{", StringComparison.Ordinal) && l.Contains("handler=\"/api/v1/query\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture); // no series before the first call
    }
}
