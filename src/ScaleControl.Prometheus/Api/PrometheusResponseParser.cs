using System.Globalization;
using System.Text.Json;
using ScaleControl.Core.Signals;

namespace ScaleControl.Prometheus.Api;

/// <summary>
/// Reads the Prometheus HTTP API envelope (<c>{"status","data":{"resultType","result"}}</c> or
/// <c>{"status":"error","errorType","error"}</c>). Samples are <c>[unixSeconds, "value"]</c>, where the value
/// is a string that may be <c>NaN</c>, <c>+Inf</c> or <c>-Inf</c>.
/// </summary>
internal static class PrometheusResponseParser
{
    public static PrometheusData Parse(ReadOnlySpan<byte> json, int httpStatus)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw NotJson(httpStatus, e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status))
                throw NotJson(httpStatus, null);

            if (status.GetString() != "success")
                throw Error(root, httpStatus);

            try
            {
                return ReadData(root.GetProperty("data"));
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
            {
                throw new PrometheusQueryException(MetricStatus.Unavailable, $"malformed Prometheus response: {e.Message}", e);
            }
        }
    }

    private static PrometheusQueryException NotJson(int httpStatus, Exception? inner) =>
        new(MetricStatus.Unavailable, $"Prometheus answered HTTP {httpStatus} without a Prometheus API response", inner);

    private static PrometheusQueryException Error(JsonElement root, int httpStatus)
    {
        var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
        var text = root.TryGetProperty("error", out var e) ? e.GetString() : null;
        text ??= $"HTTP {httpStatus}";
        return type switch
        {
            // The expression does not parse or cannot be executed: the policy must be fixed, retrying cannot help.
            "bad_data" => new PrometheusQueryException(MetricStatus.InvalidQuery, text),
            "execution" => new PrometheusQueryException(MetricStatus.InvalidQuery, $"query failed to execute: {text}"),
            _ => new PrometheusQueryException(MetricStatus.Unavailable, $"Prometheus error ({type ?? "unknown"}, HTTP {httpStatus}): {text}"),
        };
    }

    private static PrometheusData ReadData(JsonElement data)
    {
        var result = data.GetProperty("result");
        return data.GetProperty("resultType").GetString() switch
        {
            "vector" => new PrometheusData(PrometheusResultType.Vector, ReadSeries(result, "value")),
            "matrix" => new PrometheusData(PrometheusResultType.Matrix, ReadSeries(result, "values")),
            "scalar" => new PrometheusData(PrometheusResultType.Scalar, [], Scalar: ReadSample(result)),
            "string" => new PrometheusData(PrometheusResultType.String, [], Text: result[1].GetString()),
            var other => throw new FormatException($"unknown resultType '{other}'"),
        };
    }

    private static List<PrometheusSeries> ReadSeries(JsonElement result, string samplesProperty)
    {
        var series = new List<PrometheusSeries>(result.GetArrayLength());
        foreach (var item in result.EnumerateArray())
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("metric", out var metric))
            {
                foreach (var label in metric.EnumerateObject())
                    labels[label.Name] = label.Value.GetString() ?? "";
            }

            var samples = new List<PrometheusSample>();
            if (item.TryGetProperty(samplesProperty, out var values))
            {
                if (samplesProperty == "value")
                    samples.Add(ReadSample(values));
                else
                    foreach (var value in values.EnumerateArray())
                        samples.Add(ReadSample(value));
            }

            series.Add(new PrometheusSeries(labels, samples));
        }

        return series;
    }

    private static PrometheusSample ReadSample(JsonElement pair) =>
        new(FromUnixSeconds(pair[0].GetDouble()), ParseValue(pair[1].GetString()));

    public static DateTimeOffset FromUnixSeconds(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));

    public static double ParseValue(string? text) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        null => throw new FormatException("sample value is null"),
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
