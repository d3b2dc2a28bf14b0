using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// One service's simulated history: for every second, the counter totals at its start and the per-second rates
/// during it. Counters are continuous (total + rate × elapsed), so a scrape at any instant sees exactly the
/// simulated rate, and rate() in Prometheus gives back the simulated QPS.
/// </summary>
internal sealed class SimulatedService(SimulatedServiceOptions options, int capacitySteps)
{
    private readonly StepRecord[] _steps = new StepRecord[capacitySteps];

    public SimulatedServiceOptions Options { get; } = options;

    public string Namespace => Options.Namespace;

    public string Workload => Options.Workload;

    /// <summary>The trace replacing the daily baseline, if one was started (it stops mattering once it ends).</summary>
    public (TraceReplay Replay, TrafficTrace Trace)? Replay { get; set; }

    public ServiceConditions? Current { get; private set; }

    public void Record(long step, ServiceConditions conditions, double[] totalsAtStart, double[] rates)
    {
        _steps[step % _steps.Length] = new StepRecord(totalsAtStart, rates, conditions);
        Current = conditions;
    }

    public StepRecord At(long step) => _steps[step % _steps.Length];

    /// <summary>Totals at the end of <paramref name="step"/>, where the next step starts.</summary>
    public double[] TotalsAfter(long step)
    {
        var record = At(step);
        var totals = new double[record.TotalsAtStart.Length];
        for (var i = 0; i < totals.Length; i++)
            totals[i] = record.TotalsAtStart[i] + record.Rates[i];
        return totals;
    }

    internal sealed record StepRecord(double[] TotalsAtStart, double[] Rates, ServiceConditions Conditions);
}

/// <summary>A trace that replaces a service's daily baseline while it plays; its QPS are multiplied by <see cref="Scale"/>.</summary>
public sealed record TraceReplay(string Namespace, string Workload, string Trace, DateTimeOffset StartedAt, double Speed, double DurationSeconds, double Scale)
{
    public DateTimeOffset EndsAt => StartedAt.AddSeconds(DurationSeconds / Speed);
}
