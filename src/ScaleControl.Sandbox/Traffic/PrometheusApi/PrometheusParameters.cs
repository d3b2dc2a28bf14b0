using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace ScaleControl.Sandbox.Traffic.PrometheusApi;

/// <summary>
/// A query API request's parameters, from the URL and (POST) the form body, parsed as Prometheus parses them:
/// times as Unix seconds or RFC 3339, durations as Prometheus durations (<c>15s</c>, <c>1m30s</c>) or seconds.
/// Error texts follow Prometheus' (<c>invalid parameter "time": …</c>).
/// </summary>
internal sealed partial class PrometheusParameters
{
    private readonly Dictionary<string, string> _values;

    private PrometheusParameters(Dictionary<string, string> values, string? error)
    {
        _values = values;
        Error = error;
    }

    /// <summary>Why the request as a whole cannot be read (too large, not a form), or null.</summary>
    public string? Error { get; }

    public static async Task<PrometheusParameters> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query)
        {
            values[key] = Last(value);
        }

        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            if (request.ContentLength is not { } length || length > PrometheusQueryEndpoints.MaxFormBytes)
            {
                return new(values, $"the form body must state its length and be at most {PrometheusQueryEndpoints.MaxFormBytes} bytes");
            }

            var form = await request.ReadFormAsync(cancellationToken);
            foreach (var (key, value) in form)
            {
                values[key] = Last(value);
            }
        }

        var tooLong = values.FirstOrDefault(v => v.Value.Length > PrometheusQueryEndpoints.MaxParameterLength).Key;
        return new(values, tooLong is null ? null : $"invalid parameter \"{tooLong}\": longer than {PrometheusQueryEndpoints.MaxParameterLength} characters");
    }

    public string? RequiredQuery(out string query)
    {
        query = _values.GetValueOrDefault("query", "");
        return string.IsNullOrWhiteSpace(query) ? "invalid parameter \"query\": 1:1: parse error: no expression found in input" : null;
    }

    /// <summary>An evaluation time; when absent, null and <paramref name="time"/> is null (the server's now).</summary>
    public string? OptionalTime(string name, out DateTimeOffset? time)
    {
        time = null;
        if (!_values.TryGetValue(name, out var text) || text.Length == 0)
        {
            return null;
        }

        var problem = RequiredTime(name, out var parsed);
        time = parsed;
        return problem;
    }

    public string? RequiredTime(string name, out DateTimeOffset time)
    {
        time = default;
        var text = _values.GetValueOrDefault(name, "");
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            && Math.Abs(seconds) < 253_402_300_799) // year 9999: beyond it DateTimeOffset has no value
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            time = parsed;
            return null;
        }

        return $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp";
    }

    public string? RequiredDuration(string name, out TimeSpan duration)
    {
        duration = default;
        var text = _values.GetValueOrDefault(name, "");
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds)
        {
            duration = TimeSpan.FromSeconds(seconds);
            return null;
        }

        var match = DurationPattern().Match(text);
        if (text.Length > 0 && match.Success)
        {
            duration = TimeSpan.Zero;
            foreach (Capture unit in match.Groups["part"].Captures)
            {
                var value = long.Parse(unit.Value[..^UnitLength(unit.Value)], CultureInfo.InvariantCulture);
                duration += unit.Value[^UnitLength(unit.Value)..] switch
                {
                    "y" => TimeSpan.FromDays(365 * value),
                    "w" => TimeSpan.FromDays(7 * value),
                    "d" => TimeSpan.FromDays(value),
                    "h" => TimeSpan.FromHours(value),
                    "m" => TimeSpan.FromMinutes(value),
                    "s" => TimeSpan.FromSeconds(value),
                    _ => TimeSpan.FromMilliseconds(value),
                };
            }

            return null;
        }

        return $"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration";
    }

    private static int UnitLength(string part) => part.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1;

    private static string Last(StringValues values) => values.Count == 0 ? "" : values[^1] ?? "";

    [GeneratedRegex(@"^(?<part>[0-9]{1,9}(?:ms|[ywdhms]))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
