namespace ScaleControl.Simulation;

/// <summary>
/// What every controller in a replay shares: the cluster (per-pod capacity, pod start-up), the metric pipeline
/// (scrape interval, rate window, query latency) and the seeds. No controller gets a fresher or smoother metric
/// than another; each seed varies arrivals, scrape phase, latency and start-up the same way for all of them.
/// </summary>
public sealed record ReplaySettings
{
    /// <summary>Requests one ready pod serves; also the per-pod target every controller sizes for.</summary>
    public double CapacityPerPod { get; init; } = 500;

    /// <summary>Median pod start-up (lognormal around it, <see cref="StartupSpread"/>).</summary>
    public double StartupSeconds { get; init; } = 45;

    /// <summary>Sigma of ln(start-up): 0.2 puts 90 % of pods within ±30 % of the median.</summary>
    public double StartupSpread { get; init; } = 0.2;

    /// <summary>Prometheus scrape interval: the metric changes once per scrape, at a random phase per seed.</summary>
    public double ScrapeIntervalSeconds { get; init; } = 15;

    /// <summary>The query is <c>rate(counter[window])</c> over the scraped samples (two samples at 30 s / 15 s).</summary>
    public double RateWindowSeconds { get; init; } = 30;

    /// <summary>Ingestion plus query latency, uniform in [min, max] per query, the same for every controller.</summary>
    public double MinQueryLatencySeconds { get; init; } = 1;

    public double MaxQueryLatencySeconds { get; init; } = 3;

    /// <summary>Seeds 1..Seeds; figures are reported as the worst (and the median) over them.</summary>
    public int Seeds { get; init; } = 10;

    /// <summary>Time to capacity: from the spike start until ready capacity first covers this share of the peak.</summary>
    public double CapacityShare { get; init; } = 0.9;
}
