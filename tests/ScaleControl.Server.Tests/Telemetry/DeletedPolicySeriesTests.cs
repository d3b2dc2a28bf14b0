using System.Net;
using System.Text.RegularExpressions;
using ScaleControl.Server.Control.Loop;
using ScaleControl.Server.Tests.Infrastructure;
using static ScaleControl.Server.Tests.Infrastructure.ServerFactory;

namespace ScaleControl.Server.Tests.Telemetry;

/// <summary>
/// A deleted policy's <c>/metrics</c> series: they were exported with their last values for the life of the process
/// (read as live by alerts and dashboards, and one more series for every policy name ever used). Now they go when the
/// loop forgets the policy, and a policy created again under the name starts fresh. Over real HTTP (Kestrel); the loop
/// is ticked by hand on the fake clock.
/// </summary>
public sealed class DeletedPolicySeriesTests : IAsyncLifetime
{
    // Names of their own: every host in the test process exports into prometheus-net's one default registry.
    private const string Namespace = "series-churn";
    private const string Name = "short-lived";

    private readonly ServerFactory _server = new();

    public async Task InitializeAsync()
    {
        _server.Settings["urls"] = "http://127.0.0.1:0";
        _server.UseKestrel();
        _server.StartServer();
        _server.Workloads.Add(Namespace, Name, 4);
        _server.Metrics.Set(TestPolicies.Query(Name), 400);
        await Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PolicyDeleted_ItsSeriesLeaveMetrics_AndARecreatedPolicyStartsFresh()
    {
        using var admin = _server.ClientWith(AdminToken);
        using var scraper = _server.ClientWith(null);
        await CreateAndTickAsync(admin, ticks: 3);
        var before = await ScrapeAsync(scraper);
        Assert.Equal(["scalecontrol_evaluations_total", "scalecontrol_policy_current_replicas", "scalecontrol_policy_desired_replicas", "scalecontrol_policy_metric_value"],
            SeriesOf(before).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, SeriesOf(before)["scalecontrol_evaluations_total"]);

        using (var deleted = await admin.DeleteAsync($"/api/v1/policies/{Namespace}/{Name}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await _server.Service<Reconciler>().TickAsync(default);

        var after = await ScrapeAsync(scraper);
        Assert.Empty(SeriesOf(after));
        Assert.Contains("# TYPE scalecontrol_policy_desired_replicas gauge", after, StringComparison.Ordinal); // the metric stays, its series go

        await CreateAndTickAsync(admin, ticks: 1);
        Assert.Equal(1, SeriesOf(await ScrapeAsync(scraper))["scalecontrol_evaluations_total"]);
    }

    private async Task CreateAndTickAsync(HttpClient admin, int ticks)
    {
        using (var created = await admin.PutJson($"/api/v1/policies/{Namespace}/{Name}", TestPolicies.Auto(Namespace, Name)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        for (var i = 0; i < ticks; i++)
        {
            await _server.Service<Reconciler>().TickAsync(default);
            _server.Time.Advance(TimeSpan.FromSeconds(15)); // past the policy's interval: the next tick evaluates it again
        }
    }

    private static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>This policy's samples in the exposition, by metric name (the value of the last of each).</summary>
    private static Dictionary<string, double> SeriesOf(string exposition) =>
        Regex.Matches(exposition, $$"""^(\w+)\{[^}]*namespace="{{Namespace}}",policy="{{Name}}"[^}]*\} (\S+)$""", RegexOptions.Multiline)
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => double.Parse(g.Last().Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
}
