using ScaleControl.Simulation;

namespace ScaleControl.Sandbox.Traffic;

/// <summary>
/// How a push notification turns into traffic, taken from a replay trace with a <c>push</c> column (pushes sent per
/// second) — the same <see cref="TrafficTrace"/> the replay benchmark runs, so the sandbox and the replay share one model
/// of the sends, the open rate and the delay of the opens. Everything is per recipient: the trace's pushes sum to its
/// number of recipients, and its traffic above the level before the send (beyond that level's own noise, so that the
/// trace's noise does not show as early opens) is what those recipients bring.
/// </summary>
public sealed class PushShape
{
    public const string SeriesName = "push";

    /// <summary>The traffic counts as arrived once its excess reaches this share of the peak excess.</summary>
    private const double ArrivalShare = 0.1;

    /// <summary>Seconds before the send whose mean QPS is the level the excess is measured from.</summary>
    private const int BaselineSeconds = 300;

    private readonly TrafficTrace _trace;
    private readonly double _sendStart;
    private readonly double _baselineQps;
    private readonly double _noiseQps;
    private readonly double _recipients;

    private PushShape(TrafficTrace trace, double sendStart, double baselineQps, double noiseQps, double recipients, double sendSeconds, double arrivalSeconds)
    {
        _trace = trace;
        _sendStart = sendStart;
        _baselineQps = baselineQps;
        _noiseQps = noiseQps;
        _recipients = recipients;
        SendSeconds = sendSeconds;
        ArrivalSeconds = arrivalSeconds;
        DurationSeconds = Math.Floor(trace.DurationSeconds - sendStart);
    }

    public string TraceName => _trace.Name;

    /// <summary>From the first push until the trace ends.</summary>
    public double DurationSeconds { get; }

    /// <summary>From the first push until the last.</summary>
    public double SendSeconds { get; }

    /// <summary>From the first push until the traffic has arrived (its excess is a tenth of its peak).</summary>
    public double ArrivalSeconds { get; }

    /// <summary>The shape of <paramref name="trace"/>, or null with <paramref name="problem"/> when it carries no push.</summary>
    public static PushShape? From(TrafficTrace trace, out string? problem)
    {
        problem = null;
        if (!trace.SeriesNames.Contains(SeriesName))
        {
            problem = $"trace {trace.Name} has no '{SeriesName}' column (pushes sent per second)";
            return null;
        }

        var last = (int)Math.Floor(trace.DurationSeconds);
        var first = Enumerable.Range(0, last + 1).FirstOrDefault(t => Push(trace, t) > 0, -1);
        if (first < 0)
        {
            problem = $"trace {trace.Name} sends no push";
            return null;
        }

        // Whole seconds from the last second without a push: the simulator runs in whole seconds.
        var sendStart = Math.Max(0, first - 1);
        var recipients = Enumerable.Range(sendStart, last - sendStart + 1).Sum(t => Push(trace, t));
        var sendEnd = Enumerable.Range(sendStart, last - sendStart + 1).Last(t => Push(trace, t) > 0);
        var from = Math.Max(0, sendStart - BaselineSeconds);
        var baseline = Enumerable.Range(from, sendStart - from + 1).Average(t => trace.QpsAt(t));
        var noise = Enumerable.Range(from, sendStart - from + 1).Max(t => Math.Abs(trace.QpsAt(t) - baseline));
        var peak = Enumerable.Range(sendStart, last - sendStart + 1).Max(t => trace.QpsAt(t) - baseline - noise);
        if (peak <= 0)
        {
            problem = $"trace {trace.Name} brings no traffic after its push";
            return null;
        }

        var arrival = Enumerable.Range(sendStart, last - sendStart + 1).First(t => trace.QpsAt(t) - baseline - noise >= ArrivalShare * peak);
        return new PushShape(trace, sendStart, baseline, noise, recipients, sendEnd - sendStart, arrival - sendStart);
    }

    /// <summary>Pushes sent per second per recipient, <paramref name="seconds"/> after the send started.</summary>
    public double PushesPerRecipient(double seconds) =>
        Inside(seconds) ? Push(_trace, _sendStart + seconds) / _recipients : 0;

    /// <summary>Requests per second per recipient on top of the level before the push and its noise (never below).</summary>
    public double ExtraQpsPerRecipient(double seconds) =>
        Inside(seconds) ? Math.Max(0, _trace.QpsAt(_sendStart + seconds) - _baselineQps - _noiseQps) / _recipients : 0;

    private bool Inside(double seconds) => seconds >= 0 && seconds <= DurationSeconds;

    private static double Push(TrafficTrace trace, double seconds) => trace.SeriesAt(SeriesName, seconds)!.Value;
}
