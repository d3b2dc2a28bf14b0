namespace ScaleControl.Sandbox.Traffic;

/// <summary>The simulated world's traffic: which services exist, how busy they are, how they behave when overloaded.</summary>
public sealed class SandboxTrafficOptions
{
    /// <summary>Seed of the noise and of demo-mode hot events: the same seed and clock give the same traffic.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Relative standard deviation of the per-second demand noise (0 = smooth curves).</summary>
    public double NoiseFraction { get; set; } = 0.05;

    /// <summary>Start random hot events now and then, so a demo shows the whole loop without anyone pressing a button.</summary>
    public bool DemoMode { get; set; }

    /// <summary>Mean time between random hot events in demo mode.</summary>
    public TimeSpan DemoMeanInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Ready pods assumed for a service when no sandbox cluster is registered or it lacks the workload.</summary>
    public int DefaultReplicas { get; set; } = 3;

    /// <summary>How much simulated history is kept for rate() windows and range queries.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromHours(2);

    /// <summary>History simulated at start, so look-back windows have data immediately.</summary>
    public TimeSpan Warmup { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Offset of the services' local time: the daily shape peaks in the local evening.</summary>
    public TimeSpan LocalTimeOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Folder of replayable traces (<c>seconds,qps</c> CSV files), e.g. <c>samples/traces</c>.</summary>
    public string? TracesDirectory { get; set; }

    /// <summary>Folder the hot events, push campaigns and replays are kept in (<c>traffic.db</c>), so they survive a restart; null keeps nothing.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Start from no kept traffic (<c>--reset</c>): the file is deleted first.</summary>
    public bool ResetState { get; set; }

    public List<SimulatedServiceOptions> Services { get; set; } = DefaultServices();

    public static List<SimulatedServiceOptions> DefaultServices() =>
    [
        new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 240, PodCapacityQps = 50 },
        new() { Namespace = "shop", Workload = "catalog-api", PeakQps = 400, PodCapacityQps = 100 },
        new() { Namespace = "shop", Workload = "search-api", PeakQps = 150, PodCapacityQps = 40 },
        new() { Namespace = "news", Workload = "feed-api", PeakQps = 600, PodCapacityQps = 120 },
    ];
}

public sealed class SimulatedServiceOptions
{
    public string Namespace { get; set; } = "";
    public string Workload { get; set; } = "";

    /// <summary>Demand at the daily peak (local evening), in requests per second.</summary>
    public double PeakQps { get; set; } = 100;

    /// <summary>Requests per second one ready pod serves before queues build up.</summary>
    public double PodCapacityQps { get; set; } = 50;

    /// <summary>Fastest response time, reached when the pods are idle.</summary>
    public double BaseLatencySeconds { get; set; } = 0.04;

    /// <summary>Share of requests that fail even with plenty of capacity.</summary>
    public double BaseErrorRatio { get; set; } = 0.001;

    /// <summary>Ready pods when the sandbox cluster does not know the workload (null: <see cref="SandboxTrafficOptions.DefaultReplicas"/>).</summary>
    public int? Replicas { get; set; }

    /// <summary>Use a flat demand of <see cref="PeakQps"/> instead of the daily shape.</summary>
    public bool Flat { get; set; }
}
