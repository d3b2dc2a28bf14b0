using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Sandbox.Traffic.PrometheusApi;

namespace ScaleControl.Sandbox.Tests.Traffic;

/// <summary>A simulator on a fake clock that starts at a whole second, with flat, noiseless services unless told otherwise.</summary>
internal sealed class TrafficTestWorld
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    public TrafficTestWorld(Action<SandboxTrafficOptions>? configure = null, ISandboxCluster? cluster = null)
    {
        Options = new SandboxTrafficOptions
        {
            NoiseFraction = 0,
            Warmup = TimeSpan.FromMinutes(5),
            Services =
            [
                new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 100, PodCapacityQps = 50, Replicas = 4, Flat = true },
                new() { Namespace = "shop", Workload = "search-api", PeakQps = 120, PodCapacityQps = 40, Replicas = 1, Flat = true },
            ],
        };
        configure?.Invoke(Options);
        Simulator = new TrafficSimulator(Microsoft.Extensions.Options.Options.Create(Options), Time, cluster);
        Engine = new SandboxQueryEngine(Simulator);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public SandboxTrafficOptions Options { get; }

    public TrafficSimulator Simulator { get; }

    /// <summary>The engine behind the sandbox's Prometheus-compatible query API.</summary>
    public SandboxQueryEngine Engine { get; }

    /// <summary><c>/api/v1/query</c> at the fake clock's now.</summary>
    public QueryAnswer Query(string query) => QueryAnswer.From(Engine.Instant(query, Time.GetUtcNow()));

    /// <summary><c>/api/v1/query_range</c>.</summary>
    public QueryAnswer QueryRange(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step) =>
        QueryAnswer.From(Engine.Range(query, start, end, step));

    public ServiceConditions Conditions(string workload) =>
        Simulator.Status().Single(s => s.Workload == workload).Conditions;

    public HotEvent StartHotEvent(string workload, double multiplier, int ramp, int hold, int decay) =>
        Simulator.StartHotEvent(new HotEventRequest("shop", workload, multiplier, ramp, hold, decay)) ?? throw new InvalidOperationException("too many hot events");
}

/// <summary>A sandbox cluster whose ready pods the test sets.</summary>
internal sealed class FakeCluster : ISandboxCluster
{
    public Dictionary<(string, string), int> Ready { get; } = [];

    public int? GetReadyReplicas(string @namespace, string name) => Ready.TryGetValue((@namespace, name), out var n) ? n : null;

    public int? GetDesiredReplicas(string @namespace, string name) => GetReadyReplicas(@namespace, name);
}
