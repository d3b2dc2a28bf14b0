using System.Globalization;
using System.Text.Json;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A hot event whose proposal cannot move under the test: the policy is frozen while the demand ramps, and thawed
/// only once the loop has read the held demand. With flat traffic (no noise) the first proposal is then the last one:
/// no amendment can land between reading the card and tapping it (amends come every 30 s while the target moves).
/// </summary>
public static class SettledHotEvent
{
    private const string Approver = "sandbox-zhangsan";

    public static async Task StartAsync(ProductOnCluster server, string ns, string workload, double multiplier)
    {
        await server.PostJson($"/api/v1/policies/{ns}/{workload}/freeze", new { durationSeconds = 600, reason = "test: let the hot event settle" }, Approver);
        await server.HotEventAsync(ns, workload, multiplier);

        // Held demand fills the rate window; an evaluation after that (by the server's clock) reads only the held level.
        var hotEvent = await server.EventuallyJson(async () =>
            (await server.GetJson("/sandbox/traffic/hot-events")).EnumerateArray()
                .Where(e => e.GetProperty("namespace").GetString() == ns && e.GetProperty("workload").GetString() == workload && e.GetProperty("phase").GetString() == "hold")
                .Select(e => (JsonElement?)e).FirstOrDefault(), "the hot event holds");
        var settledAt = hotEvent.GetProperty("startsAt").GetDateTimeOffset()
            .AddSeconds(hotEvent.GetProperty("rampSeconds").GetInt32() + (2 * Fast.RateWindowSeconds));
        await server.Eventually(async () => (await server.GetJson("/api/v1/status", "sandbox-viewer")).GetProperty("policies").EnumerateArray()
            .Any(p => p.GetProperty("namespace").GetString() == ns && p.GetProperty("name").GetString() == workload
                && p.GetProperty("lastEvaluation") is { ValueKind: JsonValueKind.String } last
                && DateTimeOffset.Parse(last.GetString()!, CultureInfo.InvariantCulture) > settledAt), "the loop has evaluated the held demand");

        using var approver = server.Client(Approver);
        using var thawed = await approver.DeleteAsync($"/api/v1/policies/{ns}/{workload}/freeze");
        thawed.EnsureSuccessStatusCode();
    }
}
