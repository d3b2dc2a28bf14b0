using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Traffic;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>
/// The traffic simulator restarted on its state directory (real HTTP, one fake clock running on across the restart):
/// the hot events, push campaigns and replays started before are still there, under the same ids, and still drive the
/// demand; <c>--reset</c> forgets them.
/// </summary>
public sealed class DurableTrafficTests : IDisposable
{
    private readonly string _traces = Directory.CreateTempSubdirectory("scalecontrol-traces-").FullName;
    private readonly string _state = Directory.CreateTempSubdirectory("scalecontrol-traffic-state-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    public DurableTrafficTests()
    {
        File.Copy(Path.Combine(SamplePolicyQueries.TracesDirectory, "push-30m-users.csv"), Path.Combine(_traces, "push-30m-users.csv"));
        File.WriteAllText(Path.Combine(_traces, "flash-sale.csv"), "seconds,qps\n0,100\n3600,900\n");
    }

    public void Dispose()
    {
        Directory.Delete(_traces, recursive: true);
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public async Task Restart_OnTheStateDirectory_KeepsHotEventsPushesAndReplaysPlaying()
    {
        JsonElement eventBefore, pushBefore;
        double baselineQps;
        await using (var first = await StartAsync())
        {
            using var http = new HttpClient { BaseAddress = first.Url };
            baselineQps = Service(await GetAsync(http, "/sandbox/traffic/services"), "checkout-api").GetProperty("demandQps").GetDouble();
            eventBefore = await PostAsync(http, "/sandbox/traffic/hot-events", new { @namespace = "shop", workload = "checkout-api", multiplier = 3, rampSeconds = 60, holdSeconds = 600, decaySeconds = 60 });
            pushBefore = await PostAsync(http, "/sandbox/traffic/pushes", new { @namespace = "shop", workload = "search-api", recipients = 1_000_000 });
            await PostAsync(http, "/sandbox/traffic/replays", new { @namespace = "shop", workload = "search-api", trace = "flash-sale" });
        }

        _time.Advance(TimeSpan.FromSeconds(120)); // down for two minutes
        await using var second = await StartAsync();
        using var client = new HttpClient { BaseAddress = second.Url };
        var events = await GetAsync(client, "/sandbox/traffic/hot-events");
        var pushes = await GetAsync(client, "/sandbox/traffic/pushes");
        var services = await GetAsync(client, "/sandbox/traffic/services");
        var next = await PostAsync(client, "/sandbox/traffic/hot-events", new { @namespace = "shop", workload = "search-api", multiplier = 2 });
        var nextPush = await PostAsync(client, "/sandbox/traffic/pushes", new { @namespace = "shop", workload = "checkout-api", recipients = 10 });

        var hotEvent = Assert.Single(events.EnumerateArray());
        Assert.Equal(("hot-1", eventBefore.GetProperty("startsAt").GetDateTimeOffset(), "hold"),
            (hotEvent.GetProperty("id").GetString(), hotEvent.GetProperty("startsAt").GetDateTimeOffset(), hotEvent.GetProperty("phase").GetString()));
        var push = Assert.Single(pushes.EnumerateArray());
        Assert.Equal(("push-1", pushBefore.GetProperty("startsAt").GetDateTimeOffset(), 1_000_000L),
            (push.GetProperty("id").GetString(), push.GetProperty("startsAt").GetDateTimeOffset(), push.GetProperty("recipients").GetInt64()));
        var checkout = Service(services, "checkout-api");
        Assert.Equal(["hot-1"], checkout.GetProperty("activeHotEvents").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(baselineQps * 3, checkout.GetProperty("demandQps").GetDouble(), 3);
        Assert.Equal("flash-sale", Service(services, "search-api").GetProperty("replayingTrace").GetString());
        Assert.Equal(("hot-2", "push-2"), (next.GetProperty("id").GetString(), nextPush.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Restart_WithReset_StartsWithoutTheKeptTraffic()
    {
        await using (var first = await StartAsync())
        {
            using var http = new HttpClient { BaseAddress = first.Url };
            await PostAsync(http, "/sandbox/traffic/hot-events", new { @namespace = "shop", workload = "checkout-api", multiplier = 3 });
        }

        await using var second = await StartAsync(reset: true);
        using var client = new HttpClient { BaseAddress = second.Url };

        Assert.Equal(0, (await GetAsync(client, "/sandbox/traffic/hot-events")).GetArrayLength());
        Assert.Equal("hot-1", (await PostAsync(client, "/sandbox/traffic/hot-events", new { @namespace = "shop", workload = "checkout-api", multiplier = 2 })).GetProperty("id").GetString());
    }

    private Task<SandboxTrafficHost> StartAsync(bool reset = false) => SandboxTrafficHost.StartAsync(
        o =>
        {
            (o.TracesDirectory, o.NoiseFraction, o.StateDirectory, o.ResetState) = (_traces, 0, _state, reset);
            o.Services =
            [
                new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 100, PodCapacityQps = 50, Replicas = 20, Flat = true },
                new() { Namespace = "shop", Workload = "search-api", PeakQps = 100, PodCapacityQps = 50, Flat = true },
            ];
        },
        services => services.AddSingleton<TimeProvider>(_time));

    private static JsonElement Service(JsonElement services, string workload) =>
        services.EnumerateArray().Single(s => s.GetProperty("workload").GetString() == workload);

    private static async Task<JsonElement> GetAsync(HttpClient http, string path) => await http.GetFromJsonAsync<JsonElement>(path);

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
