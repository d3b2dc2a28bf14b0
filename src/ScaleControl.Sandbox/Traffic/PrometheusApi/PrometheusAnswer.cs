using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ScaleControl.Sandbox.Traffic.PrometheusApi;

/// <summary>
/// One response of the query API in Prometheus' JSON: <c>{"status":"success","data":{"resultType","result"}}</c>, or
/// <c>{"status":"error","errorType","error"}</c> with Prometheus' status codes (bad_data 400, execution 422).
/// Samples are <c>[unixSeconds, "value"]</c> with values written as Prometheus writes them (NaN, +Inf, -Inf).
/// The simulator's series carry no labels here: <c>"metric"</c> is empty.
/// </summary>
internal sealed class PrometheusAnswer
{
    private readonly Action<Utf8JsonWriter> _write;

    private PrometheusAnswer(int status, Action<Utf8JsonWriter> write)
    {
        StatusCode = status;
        _write = write;
    }

    public int StatusCode { get; }

    public static PrometheusAnswer BadData(string error) => Error(StatusCodes.Status400BadRequest, "bad_data", error);

    public static PrometheusAnswer Execution(string error) => Error(StatusCodes.Status422UnprocessableEntity, "execution", error);

    public static PrometheusAnswer Vector(DateTimeOffset time, IReadOnlyList<double> values) => Success("vector", json =>
    {
        foreach (var value in values)
        {
            json.WriteStartObject();
            json.WriteStartObject("metric");
            json.WriteEndObject();
            json.WritePropertyName("value");
            WriteSample(json, time, value);
            json.WriteEndObject();
        }
    });

    /// <summary>Series i holds the i-th value of each step that has one (sums have one series, or none when nothing matched).</summary>
    public static PrometheusAnswer Matrix(IReadOnlyList<(DateTimeOffset Time, IReadOnlyList<double> Values)> steps) => Success("matrix", json =>
    {
        var seriesCount = steps.Count == 0 ? 0 : steps.Max(s => s.Values.Count);
        for (var series = 0; series < seriesCount; series++)
        {
            json.WriteStartObject();
            json.WriteStartObject("metric");
            json.WriteEndObject();
            json.WriteStartArray("values");
            foreach (var (time, values) in steps)
            {
                if (series < values.Count)
                {
                    WriteSample(json, time, values[series]);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
    });

    public async Task WriteAsync(HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.Body);
        _write(json);
        await json.FlushAsync(cancellationToken);
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            _write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static PrometheusAnswer Success(string resultType, Action<Utf8JsonWriter> writeResult) => new(StatusCodes.Status200OK, json =>
    {
        json.WriteStartObject();
        json.WriteString("status", "success");
        json.WriteStartObject("data");
        json.WriteString("resultType", resultType);
        json.WriteStartArray("result");
        writeResult(json);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    });

    private static PrometheusAnswer Error(int status, string errorType, string error) => new(status, json =>
    {
        json.WriteStartObject();
        json.WriteString("status", "error");
        json.WriteString("errorType", errorType);
        json.WriteString("error", error);
        json.WriteEndObject();
    });

    private static void WriteSample(Utf8JsonWriter json, DateTimeOffset time, double value)
    {
        json.WriteStartArray();
        json.WriteNumberValue(time.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteStringValue(FormatValue(value));
        json.WriteEndArray();
    }

    private static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
