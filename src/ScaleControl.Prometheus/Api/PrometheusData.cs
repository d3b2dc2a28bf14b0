namespace ScaleControl.Prometheus.Api;

/// <summary>The <c>resultType</c> of a Prometheus query response.</summary>
internal enum PrometheusResultType
{
    Vector,
    Scalar,
    Matrix,
    String,
}

internal readonly record struct PrometheusSample(DateTimeOffset Time, double Value);

internal sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// The <c>data</c> of a successful query: series for vector (one sample each) and matrix results,
/// one sample for a scalar, text for a string.
/// </summary>
internal sealed record PrometheusData(
    PrometheusResultType Type,
    IReadOnlyList<PrometheusSeries> Series,
    PrometheusSample? Scalar = null,
    string? Text = null);
