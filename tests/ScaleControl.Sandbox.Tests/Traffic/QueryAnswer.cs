using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Traffic.PrometheusApi;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>A query API answer as a Prometheus client reads it: HTTP status and the JSON envelope.</summary>
internal sealed record QueryAnswer(int Status, JsonObject Body)
{
    public static QueryAnswer From(PrometheusAnswer answer) => new(answer.StatusCode, JsonNode.Parse(answer.ToJson())!.AsObject());

    public string? ResultType => Body["data"]?["resultType"]?.GetValue<string>();

    public JsonArray Result => Body["data"]!["result"]!.AsArray();

    public string? ErrorType => Body["errorType"]?.GetValue<string>();

    public string? Error => Body["error"]?.GetValue<string>();

    /// <summary>The one sample of an instant vector with one series.</summary>
    public (DateTimeOffset Time, double Value) Single()
    {
        Assert.Equal(200, Status);
        Assert.Equal("vector", ResultType);
        var sample = Assert.Single(Result)!["value"]!.AsArray();
        return (Time(sample), Value(sample));
    }

    /// <summary>The samples of a matrix with one series.</summary>
    public IReadOnlyList<(DateTimeOffset Time, double Value)> Points()
    {
        Assert.Equal(200, Status);
        Assert.Equal("matrix", ResultType);
        return [.. Assert.Single(Result)!["values"]!.AsArray().Select(s => (Time(s!.AsArray()), Value(s!.AsArray())))];
    }

    private static DateTimeOffset Time(JsonArray sample) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(sample[0]!.GetValue<double>() * 1000));

    private static double Value(JsonArray sample) =>
        sample[1]!.GetValue<string>() switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var text => double.Parse(text, CultureInfo.InvariantCulture),
        };
}
