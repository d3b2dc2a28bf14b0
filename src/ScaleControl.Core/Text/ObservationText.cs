using System.Globalization;
using ScaleControl.Core.Policies;

namespace ScaleControl.Core.Text;

/// <summary>An Observe policy's comparison in one line, as chat says it ("since" is the caller's, in its own clock).</summary>
public static class ObservationText
{
    /// <summary>E.g. "over 3h observed: would have run another count 42% of the time, 1.5 pod-hours more and 0.25 less than ran; would have scaled 5 times, the workload changed 3 times".</summary>
    public static string Summary(ObservationStatus o) => string.Create(CultureInfo.InvariantCulture,
        $"over {DurationText.Short(TimeSpan.FromSeconds(o.ObservedSeconds))} observed: would have run another count {Percent(o.DifferentSeconds, o.ObservedSeconds)}% of the time, "
        + $"{o.PodSecondsMore / 3600:0.##} pod-hours more and {o.PodSecondsLess / 3600:0.##} less than ran; "
        + $"would have scaled {Times(o.WouldChanges)}, the workload changed {Times(o.WorkloadChanges)}");

    private static int Percent(double part, double whole) => whole > 0 ? (int)Math.Round(part * 100 / whole) : 0;

    private static string Times(int n) => n == 1 ? "once" : string.Create(CultureInfo.InvariantCulture, $"{n} times");
}
