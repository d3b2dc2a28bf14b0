using ScaleControl.Core.Signals;

namespace ScaleControl.Prometheus.Api;

/// <summary>The exactly-one-number rule: a policy's query must yield one finite value, anything else says why not.</summary>
internal static class ReadingInterpreter
{
    public static MetricReading Interpret(string query, PrometheusData data)
    {
        switch (data.Type)
        {
            case PrometheusResultType.Scalar when data.Scalar is { } scalar:
                return FromSample(query, scalar);
            case PrometheusResultType.Vector when data.Series.Count == 0:
                return MetricReading.Failed(query, MetricStatus.Empty, "query returned no series");
            case PrometheusResultType.Vector when data.Series.Count > 1:
                return MetricReading.Failed(query, MetricStatus.MultipleSeries, $"query returned {data.Series.Count} series; aggregate with sum()");
            case PrometheusResultType.Vector when data.Series[0].Samples is [var sample]:
                return FromSample(query, sample);
            case PrometheusResultType.Matrix:
                return MetricReading.Failed(query, MetricStatus.InvalidQuery,
                    "query returned a range vector; a policy query must return one instant value (wrap the range selector in a function such as rate())");
            case PrometheusResultType.String:
                return MetricReading.Failed(query, MetricStatus.InvalidQuery, "query returned a string; a policy query must return a number");
            default:
                return MetricReading.Failed(query, MetricStatus.Unavailable, "malformed Prometheus response: a vector series without exactly one sample");
        }
    }

    private static MetricReading FromSample(string query, PrometheusSample sample) =>
        double.IsFinite(sample.Value)
            ? MetricReading.Ok(query, sample.Value, sample.Time)
            : new MetricReading(query, MetricStatus.NotANumber, null, sample.Time, $"value is {PrometheusResponseParser.FormatValue(sample.Value)}");
}
