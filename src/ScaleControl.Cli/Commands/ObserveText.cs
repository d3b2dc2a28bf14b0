using System.Globalization;
using ScaleControl.Cli.Api;
using ScaleControl.Cli.Formatting;

namespace ScaleControl.Cli.Commands;

/// <summary>How scalectl shows a policy in mode Observe: what it would run (STATE) and how that compares with what ran (describe).</summary>
internal static class ObserveText
{
    public const string Mode = "Observe";

    public static bool Observes(string? mode) => string.Equals(mode, Mode, StringComparison.OrdinalIgnoreCase);

    /// <summary>"Observe: would 4 → 9", "Observe: would keep 4", or "Observe" before its first evaluation.</summary>
    public static string State(int? current, int? desired) =>
        current is { } running && desired is { } would
            ? would == running ? $"Observe: would keep {running}" : $"Observe: would {running} → {would}"
            : Mode;

    /// <summary>The comparison's fields for <c>describe policy</c>, each saying what it counts.</summary>
    public static void Describe(DescribeWriter d, Observation o, CommandContext context)
    {
        var c = CultureInfo.InvariantCulture;
        var observed = TimeSpan.FromSeconds(o.ObservedSeconds);
        d.Section("Observation (mode Observe: nothing written)")
            .Field("Since", $"{o.Since:u} ({context.Age(o.Since)} ago; {Durations.Human(observed)} observed, gaps of the loop left out)", indent: 1)
            .Field("Would Run", $"{o.WouldReplicas} (workload runs {o.RunningReplicas}, at {o.LastObserved:u})", indent: 1)
            .Field("Differed", string.Create(c, $"{Percent(o.DifferentSeconds, o.ObservedSeconds)}% of the observed time ({Durations.Human(TimeSpan.FromSeconds(o.DifferentSeconds))})"), indent: 1)
            .Field("Pod-Hours", string.Create(c, $"{o.PodSecondsMore / 3600:0.##} more, {o.PodSecondsLess / 3600:0.##} fewer than ran"), indent: 1)
            .Field("Changes", $"would have scaled {o.WouldChanges}×, the workload changed {o.WorkloadChanges}×", indent: 1);
    }

    private static int Percent(double part, double whole) => whole > 0 ? (int)Math.Round(part * 100 / whole) : 0;
}
