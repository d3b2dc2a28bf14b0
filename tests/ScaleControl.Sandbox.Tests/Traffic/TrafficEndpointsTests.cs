using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>The simulator's HTTP API on a real Kestrel at 127.0.0.1:0.</summary>
public sealed class TrafficEndpointsTests : IAsyncLifetime
{
    private readonly string _traces = Directory.CreateTempSubdirectory("scalecontrol-traces-").FullName;
    private SandboxTrafficHost? _host;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_traces, "flash-sale.csv"), "seconds,qps\n0,100\n600,900\n1200,100\n");
        await File.WriteAllTextAsync(Path.Combine(_traces, "broken.csv"), "seconds,qps\n0,abc\n");
        _host = await SandboxTrafficHost.StartAsync(o => o.TracesDirectory = _traces);
        _http = new HttpClient { BaseAddress = _host.Url };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        if (_host is not null)
            await _host.DisposeAsync();
        Directory.Delete(_traces, recursive: true);
    }

    /// <summary>
    /// Hot events were unbounded: 120 events of 18 h each were all accepted, and every simulated second summed them all
    /// (memory and time grew with each POST, demand 2,000x). Like push campaigns, at most 50 run at once.
    /// </summary>
    [Fact]
    public async Task PostHotEvent_FiftyRunning_TheNextIsAConflict_NothingAdded()
    {
        var longest = new { @namespace = "shop", workload = "checkout-api", multiplier = 20, rampSeconds = 21600, holdSeconds = 21600, decaySeconds = 21600 };
        for (var i = 0; i < TrafficSimulator.MaxRunningHotEvents; i++)
        {
            using var ok = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", longest);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var refused = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", longest);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("50 hot events are running already", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(TrafficSimulator.MaxRunningHotEvents, (await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/hot-events")).GetArrayLength());
    }

    [Fact]
    public async Task PostHotEvent_NamesLongerThanKubernetesAllows_RefusedWithoutEchoingThem()
    {
        using var response = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = new string('n', 100_000), workload = new string('w', 100_000), multiplier = 4,
        });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("namespace must be at most 63 characters", text, StringComparison.Ordinal);
        Assert.Contains("workload must be at most 253 characters", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1000, $"{text.Length} characters");
    }

    [Fact]
    public async Task PostHotEvent_Valid_ReturnsTheEventAndListsIt()
    {
        var response = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = "shop", workload = "checkout-api", multiplier = 5, rampSeconds = 30, holdSeconds = 120, decaySeconds = 60,
        });
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var listed = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/hot-events");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/sandbox/traffic/hot-events/{created.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        Assert.Equal(5, created.GetProperty("multiplier").GetDouble());
        Assert.Equal("pending", created.GetProperty("phase").GetString()); // starts with the next simulated second
        Assert.Equal("api", created.GetProperty("origin").GetString());
        Assert.Equal(210, (created.GetProperty("endsAt").GetDateTimeOffset() - created.GetProperty("startsAt").GetDateTimeOffset()).TotalSeconds);
        Assert.Contains(listed.EnumerateArray(), e => e.GetProperty("id").GetString() == created.GetProperty("id").GetString());
    }

    [Fact]
    public async Task DeleteHotEvent_Running_EndsItNow_UnknownIs404()
    {
        using var response = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = "shop", workload = "checkout-api", multiplier = 4, rampSeconds = 0, holdSeconds = 3600, decaySeconds = 600,
        });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var ended = await _http.DeleteAsync($"/sandbox/traffic/hot-events/{id}");
        using var unknown = await _http.DeleteAsync("/sandbox/traffic/hot-events/no-such-event");

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        var view = await ended.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True((view.GetProperty("endsAt").GetDateTimeOffset() - view.GetProperty("startsAt").GetDateTimeOffset()).TotalSeconds < 60, view.ToString()); // not 4200
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task PostHotEvent_Invalid_ReturnsFieldErrors()
    {
        var response = await _http.PostAsJsonAsync("/sandbox/traffic/hot-events", new
        {
            @namespace = "shop", workload = "no-such-api", multiplier = 50, rampSeconds = -1,
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no service shop/no-such-api", errors.GetProperty("workload")[0].GetString());
        Assert.Contains("between 1.1 and 20", errors.GetProperty("multiplier")[0].GetString());
        Assert.True(errors.TryGetProperty("rampSeconds", out _));
    }

    [Fact]
    public async Task GetServices_ShowsDemandCapacityAndLatencyPerService()
    {
        var services = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/services");

        var checkout = services.EnumerateArray().Single(s => s.GetProperty("workload").GetString() == "checkout-api");
        Assert.Equal("shop", checkout.GetProperty("namespace").GetString());
        Assert.True(checkout.GetProperty("demandQps").GetDouble() > 0);
        Assert.Equal(3, checkout.GetProperty("readyReplicas").GetInt32());
        Assert.Equal(150, checkout.GetProperty("capacityQps").GetDouble());
        Assert.True(checkout.GetProperty("latencyP99Seconds").GetDouble() > checkout.GetProperty("latencyMeanSeconds").GetDouble());
    }

    [Fact]
    public async Task GetMetrics_IsValidPrometheusExposition()
    {
        using var response = await _http.GetAsync("/sandbox/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("# TYPE http_request_duration_seconds histogram", text);
        Assert.Contains("""http_request_duration_seconds_bucket{namespace="shop",workload="checkout-api",le="+Inf"}""", text);
        Assert.Contains("""http_requests_total{namespace="news",workload="feed-api"}""", text);
        var (exitCode, output) = await PromtoolCheckMetricsAsync(text);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Replays_KnownTrace_StartsAndUnknownOrBrokenAreRefused()
    {
        var names = await _http.GetFromJsonAsync<string[]>("/sandbox/traffic/traces") ?? [];
        var started = await _http.PostAsJsonAsync("/sandbox/traffic/replays", new { @namespace = "shop", workload = "search-api", trace = "flash-sale", speed = 10 });
        var unknown = await _http.PostAsJsonAsync("/sandbox/traffic/replays", new { @namespace = "shop", workload = "search-api", trace = "nope" });
        var broken = await _http.PostAsJsonAsync("/sandbox/traffic/replays", new { @namespace = "shop", workload = "search-api", trace = "broken" });
        var services = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/services");

        Assert.Equal(["broken", "flash-sale"], names);
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("line 2", await broken.Content.ReadAsStringAsync());
        var search = services.EnumerateArray().Single(s => s.GetProperty("workload").GetString() == "search-api");
        Assert.Equal("flash-sale", search.GetProperty("replayingTrace").GetString());
    }

    /// <summary>Prometheus' own linter for the exposition format.</summary>
    private static async Task<(int, string)> PromtoolCheckMetricsAsync(string exposition)
    {
        using var promtool = Process.Start(new ProcessStartInfo("/usr/bin/promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await promtool.StandardInput.WriteAsync(exposition);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, output);
    }
}
