using ScaleControl.Core.Signals;
using ScaleControl.Prometheus.Tests.Infrastructure;

namespace ScaleControl.Prometheus.Tests;

/// <summary>
/// A Prometheus (or a proxy in front of it) answering 200 with something that is not a usable number: every case is a
/// reading the engine fails static on (never a value, never an exception into the loop), with a problem that says why.
/// </summary>
public sealed class PrometheusGarbageTests
{
    private const string Query = "sum(rate(http_requests_total[1m]))";

    public static TheoryData<string, MetricStatus> Bodies => new()
    {
        { "<html><body>502 Bad Gateway</body></html>", MetricStatus.Unavailable },
        { """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1735689600.5,"7""", MetricStatus.Unavailable },
        { "", MetricStatus.Unavailable },
        { "[]", MetricStatus.Unavailable },
        { """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1735689600.5,"NaN"]}]}}""", MetricStatus.NotANumber },
        { """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1735689600.5,"+Inf"]}]}}""", MetricStatus.NotANumber },
        { """{"status":"success","data":{"resultType":"vector","result":[]}}""", MetricStatus.Empty },
        { """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1735689600.5,"1"]},{"metric":{"a":"2"},"value":[1735689600.5,"2"]}]}}""", MetricStatus.MultipleSeries },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task QueryAsync_GarbageWith200_NoValue_FailStaticStatus_NoException(string body, MetricStatus expected)
    {
        await using var fake = await FakePrometheusApi.StartAsync((_, context) => FakePrometheusApi.Json(context, 200, body));
        using var factory = new MetricSourceFactory(fake.Url, new Dictionary<string, string?> { ["Retries"] = "0" });

        var reading = (await factory.Source.QueryAsync([Query], CancellationToken.None))[Query];

        Assert.Equal(expected, reading.Status);
        Assert.False(reading.IsUsable);
        Assert.False(string.IsNullOrWhiteSpace(reading.Problem));
    }
}
