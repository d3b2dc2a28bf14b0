using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Prometheus.Tests.Infrastructure;

/// <summary>
/// Finds instants at which a real Prometheus's <c>rate()</c> over the sandbox's straight-line counters is exact.
/// Prometheus extrapolates the samples' slope to the ends of the window only when the first and last samples lie
/// within 1.1 average scrape intervals of them (extrapolatedRate in promql/functions.go); a scrape missed or late at an
/// edge — a starved 2-core machine misses them — makes it extrapolate half an interval instead, and the rate reads low
/// (89 for a flat 100 QPS was seen under load). The sandbox's counters carry their own timestamps, so with both edges
/// covered the answer is the line's slope whatever the scrape jitter.
/// </summary>
internal static class CoveredWindows
{
    /// <summary>Every counter of one scrape carries the same timestamp, so this one series shows when all were scraped.</summary>
    private const string Series = """http_requests_total{namespace="shop",workload="checkout-api"}""";

    private static readonly TimeSpan s_lookBack = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The first scrape time in [<paramref name="from"/>, <paramref name="until"/>] at which the window of
    /// <paramref name="range"/> ending there, and the windows ending <paramref name="later"/> after it, are all covered
    /// at both ends. Waits for scrapes as they arrive; throws with the scrape times seen when none is found in time.
    /// </summary>
    public static async Task<DateTimeOffset> FirstAsync(Uri prometheus, TimeSpan range, DateTimeOffset from, DateTimeOffset until, params TimeSpan[] later)
    {
        using var http = new HttpClient { BaseAddress = prometheus };
        var furthest = later.DefaultIfEmpty(TimeSpan.Zero).Max();
        var bounded = until != DateTimeOffset.MaxValue;
        var deadline = Patience.Of(20) + (bounded ? (until + furthest - DateTimeOffset.UtcNow).Duration() : TimeSpan.Zero);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var scrapes = Array.Empty<DateTimeOffset>();
        while (waited.Elapsed < deadline)
        {
            scrapes = await ScrapeTimesAsync(http, DateTimeOffset.UtcNow);
            foreach (var at in scrapes.Where(t => t >= from && t <= until && t + furthest <= scrapes[^1]))
            {
                if (later.Prepend(TimeSpan.Zero).All(offset => IsCovered(scrapes, at + offset, range)))
                    return at;
            }

            if (bounded && scrapes.Length > 0 && scrapes[^1] > until + furthest)
                break; // every candidate's windows are scraped and none was covered
            await Task.Delay(250);
        }

        throw new TimeoutException(
            $"no [{range.TotalSeconds:0}s] window between {from:O} and {until:O} had scrapes at both ends; scrapes at "
            + string.Join(", ", scrapes.Where(t => t >= from - range).Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture))));
    }

    /// <summary>Whether Prometheus extrapolates the samples in [at − range, at] to both ends of that window.</summary>
    private static bool IsCovered(DateTimeOffset[] scrapes, DateTimeOffset at, TimeSpan range)
    {
        var inside = scrapes.Where(t => t >= at - range && t <= at).ToArray();
        if (inside.Length < 2)
            return false;
        var threshold = (inside[^1] - inside[0]) / (inside.Length - 1) * 1.1;
        return inside[0] - (at - range) < threshold && at - inside[^1] < threshold;
    }

    /// <summary>The timestamps of the series' raw samples over the last few minutes, oldest first.</summary>
    private static async Task<DateTimeOffset[]> ScrapeTimesAsync(HttpClient http, DateTimeOffset now)
    {
        var time = (now.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        var query = Uri.EscapeDataString($"{Series}[{s_lookBack.TotalSeconds:0}s]");
        var body = await http.GetFromJsonAsync<JsonElement>($"api/v1/query?query={query}&time={time}");
        var result = body.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? []
            : result[0].GetProperty("values").EnumerateArray()
                .Select(v => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(v[0].GetDouble() * 1000)))
                .ToArray();
    }
}
