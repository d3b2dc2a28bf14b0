using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ScaleControl.DingTalk;

/// <summary>
/// Meter <c>ScaleControl.DingTalk</c>: how long ScaleControl takes to answer a card tap (DingTalk allows 2 s).
/// Exported by whatever the host uses for System.Diagnostics.Metrics (prometheus-net adapts it).
/// </summary>
public sealed class DingTalkMetrics
{
    public const string MeterName = "ScaleControl.DingTalk";
    public const string CallbackDurationName = "scalecontrol.dingtalk.callback.duration";

    private readonly Histogram<double> _callbackDuration;

    public DingTalkMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _callbackDuration = meter.CreateHistogram<double>(
            CallbackDurationName, unit: "ms", description: "From a card callback's arrival to its answer being ready");
    }

    /// <summary>Records the time since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void CallbackAnswered(long startedTimestamp, string mode) =>
        _callbackDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("mode", mode));
}
