using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// The small PromQL subset the sandbox's Prometheus-compatible API answers: exactly the shapes the sandbox's
/// policies use, written so that the same text works unchanged against a real Prometheus scraping
/// <c>/sandbox/metrics</c>. Anything else is refused with <see cref="Supported"/> rather than guessed at.
/// </summary>
internal abstract partial record SandboxQuery
{
    public const string Supported =
        "the sandbox's Prometheus API understands only "
        + "sum(rate(<metric>{namespace=\"…\",workload=\"…\"}[<range>])) (or without sum), "
        + "histogram_quantile(<φ>, sum by (le) (rate(http_request_duration_seconds_bucket{…}[<range>]))) "
        + "and sum(rate(…)) / sum(rate(…)), with <metric> one of " + MetricNames
        + " and only = matchers on namespace and workload; " + FullPromQl;

    /// <summary>The way out of the subset, in every refusal: a real cluster's queries (the samples') fail here.</summary>
    private const string FullPromQl = "set ScaleControl:Prometheus:Url to use full PromQL";

    private const string MetricNames =
        "http_requests_total, http_request_errors_total, http_request_duration_seconds_count, http_request_duration_seconds_sum, push_sent_total";

    /// <summary><c>rate(metric{matchers}[range])</c>, summed over the matching services or not.</summary>
    public sealed record Rate(int Counter, LabelMatchers Matchers, TimeSpan Range, bool Summed) : SandboxQuery;

    /// <summary><c>histogram_quantile(φ, sum by (le) (rate(http_request_duration_seconds_bucket{…}[range])))</c>.</summary>
    public sealed record Quantile(double Phi, LabelMatchers Matchers, TimeSpan Range) : SandboxQuery;

    /// <summary><c>sum(rate(a)) / sum(rate(b))</c>, e.g. an error ratio.</summary>
    public sealed record Ratio(Rate Numerator, Rate Denominator) : SandboxQuery;

    /// <summary>Equality matchers on namespace and workload; null matches every value.</summary>
    public sealed record LabelMatchers(string? Namespace, string? Workload)
    {
        public bool Match(SimulatedService service) =>
            (Namespace is null || Namespace == service.Namespace) && (Workload is null || Workload == service.Workload);
    }

    /// <summary>The parsed query, or null with <paramref name="problem"/> saying what is not supported.</summary>
    public static SandboxQuery? Parse(string query, out string? problem)
    {
        problem = null;
        var text = query.Trim();
        if (text.Length == 0)
            return Fail("query is empty", out problem);

        if (SplitTopLevelDivision(text) is var (left, right))
        {
            var numerator = ParseTerm(left, out problem);
            if (problem is not null)
                return null;
            var denominator = ParseTerm(right, out problem);
            if (problem is not null)
                return null;
            return numerator is Rate { Summed: true } n && denominator is Rate { Summed: true } d
                ? new Ratio(n, d)
                : Fail("both sides of '/' must be sum(rate(...)); " + Supported, out problem);
        }

        return ParseTerm(text, out problem);
    }

    private static SandboxQuery? ParseTerm(string text, out string? problem)
    {
        text = text.Trim();
        var quantile = QuantilePattern().Match(text);
        if (quantile.Success)
        {
            if (!double.TryParse(quantile.Groups["phi"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var phi) || phi is < 0 or > 1)
                return Fail($"histogram_quantile needs a quantile between 0 and 1; got {quantile.Groups["phi"].Value}", out problem);
            var inner = ParseRate(quantile.Groups["inner"].Value.Trim(), summed: false, out problem);
            if (problem is not null)
                return null;
            var rate = (Rate)inner!;
            return rate.Counter == BucketCounter
                ? new Quantile(phi, rate.Matchers, rate.Range)
                : Fail("histogram_quantile needs rate(http_request_duration_seconds_bucket{…}[range]); " + Supported, out problem);
        }

        var sum = SumPattern().Match(text);
        var term = sum.Success ? ParseRate(sum.Groups["inner"].Value.Trim(), summed: true, out problem) : ParseRate(text, summed: false, out problem);
        return term is Rate { Counter: BucketCounter }
            ? Fail("http_request_duration_seconds_bucket is only understood inside histogram_quantile(φ, sum by (le) (rate(...)))", out problem)
            : term;
    }

    /// <summary>Counter index meaning "the histogram buckets", only valid inside histogram_quantile.</summary>
    private const int BucketCounter = -1;

    private static SandboxQuery? ParseRate(string text, bool summed, out string? problem)
    {
        var match = RatePattern().Match(text);
        if (!match.Success)
            return Fail(Supported, out problem);

        int? counter = match.Groups["metric"].Value switch
        {
            "http_requests_total" or "http_request_duration_seconds_count" => TrafficCounters.Requests,
            "http_request_errors_total" => TrafficCounters.Errors,
            "http_request_duration_seconds_sum" => TrafficCounters.DurationSum,
            "push_sent_total" => TrafficCounters.Pushes,
            "http_request_duration_seconds_bucket" when !summed => BucketCounter,
            _ => null,
        };
        if (counter is null)
            return Fail($"unknown metric '{match.Groups["metric"].Value}' (the simulator exposes {MetricNames} and http_request_duration_seconds_bucket)", out problem);

        var matchers = ParseMatchers(match.Groups["matchers"].Value, out problem);
        if (problem is not null)
            return null;
        var range = ParseDuration(match.Groups["range"].Value);
        if (range <= TimeSpan.Zero)
            return Fail("the range must be positive", out problem);
        problem = null;
        return new Rate(counter.Value, matchers!, range, summed);
    }

    private static LabelMatchers? ParseMatchers(string text, out string? problem)
    {
        problem = null;
        string? ns = null, workload = null;
        foreach (var part in SplitOutsideQuotes(text, ','))
        {
            if (part.Trim().Length == 0)
                continue;
            var match = MatcherPattern().Match(part);
            if (!match.Success)
            {
                problem = $"cannot read the label matcher '{part.Trim()}'";
                return null;
            }

            var (label, op, value) = (match.Groups["label"].Value, match.Groups["op"].Value, Regex.Unescape(match.Groups["value"].Value));
            if (op != "=" || label is not ("namespace" or "workload"))
            {
                problem = $"the sandbox's Prometheus API supports only = matchers on namespace and workload; got {label}{op}\"{value}\"; {FullPromQl}";
                return null;
            }

            if (label == "namespace")
                ns = value;
            else
                workload = value;
        }

        return new LabelMatchers(ns, workload);
    }

    private static TimeSpan ParseDuration(string text)
    {
        var unitStart = text.IndexOfAny(['m', 's', 'h', 'd']);
        var number = long.Parse(text[..unitStart], CultureInfo.InvariantCulture);
        return text[unitStart..] switch
        {
            "ms" => TimeSpan.FromMilliseconds(number),
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => TimeSpan.FromDays(number),
        };
    }

    private static (string, string)? SplitTopLevelDivision(string text)
    {
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' && (i == 0 || text[i - 1] != '\\'))
                quoted = !quoted;
            else if (!quoted && c is '(' or '[' or '{')
                depth++;
            else if (!quoted && c is ')' or ']' or '}')
                depth--;
            else if (!quoted && depth == 0 && c == '/')
                return (text[..i], text[(i + 1)..]);
        }

        return null;
    }

    private static IEnumerable<string> SplitOutsideQuotes(string text, char separator)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\'))
                quoted = !quoted;
            else if (!quoted && text[i] == separator)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private static SandboxQuery? Fail(string message, out string? problem)
    {
        problem = message;
        return null;
    }

    [GeneratedRegex(@"^rate\s*\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(?<matchers>[^{}]*)\})?\s*\[\s*(?<range>[0-9]+(?:ms|s|m|h|d))\s*\]\s*\)$")]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"^sum\s*\((?<inner>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex SumPattern();

    [GeneratedRegex(@"^histogram_quantile\s*\(\s*(?<phi>[0-9.eE+-]+)\s*,\s*sum\s+by\s*\(\s*le\s*\)\s*\((?<inner>.*)\)\s*\)$", RegexOptions.Singleline)]
    private static partial Regex QuantilePattern();

    [GeneratedRegex(@"^\s*(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?<op>=~|!=|!~|=)\s*""(?<value>(?:[^""\\]|\\.)*)""\s*$")]
    private static partial Regex MatcherPattern();
}
