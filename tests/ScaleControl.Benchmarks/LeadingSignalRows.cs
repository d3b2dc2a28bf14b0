using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// On a trace that carries the policy's leading signal as a column, the ScaleControl row uses the signal; this adds
/// the same policy without it, so one run shows what the signal is worth against the HPA, and with its conversion
/// (requestsPerUnit) 2x too high and halved, so it shows what a wrong conversion costs (and what rescaling wins back).
/// </summary>
internal static class LeadingSignalRows
{
    public const string WithoutSignal = "SC w/o signal";
    public const string Doubled = "SC signal x2";
    public const string Halved = "SC signal x0.5";

    /// <summary>Adds the rows without the signal and with a wrong conversion when the trace has the signal's series; returns whether it did.</summary>
    public static bool Add(List<ReplayEntry> entries, ScalePolicy policy, TrafficTrace trace, ReplaySettings settings)
    {
        if (policy.Spec.LeadingSignal is not { } signal || !trace.SeriesNames.Contains(signal.Name))
        {
            return false;
        }

        Row(entries, WithoutSignal, policy with { Spec = policy.Spec with { LeadingSignal = null } }, settings);
        Row(entries, Doubled, Converting(policy, signal, 2), settings);
        Row(entries, Halved, Converting(policy, signal, 0.5), settings);
        return true;
    }

    /// <summary>Prints the comparison and returns ScaleControl's worst shortfall ratio to the HPA with the signal.</summary>
    public static double Print(TraceReport report)
    {
        var with = report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.ShortfallPodSeconds);
        var without = report.WorstRatio(WithoutSignal, ReplaySuite.Hpa, r => r.ShortfallPodSeconds);
        var over = report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.OverProvisionPodSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"leading signal, worst over seeds: shortfall {with:0.00}x HPA with the signal, {without:0.00}x without; over-provisioning {over:0.00}x HPA with it"));
        foreach (var (name, factor) in new[] { (Doubled, "2x"), (Halved, "0.5x") })
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"leading signal converting {factor} the policy's: shortfall {report.WorstRatio(name, ReplaySuite.Hpa, r => r.ShortfallPodSeconds):0.00}x HPA, over-provisioning {report.WorstRatio(name, ReplaySuite.Hpa, r => r.OverProvisionPodSeconds):0.00}x HPA (worst over seeds)"));
        }

        return with;
    }

    private static ScalePolicy Converting(ScalePolicy policy, LeadingSignalSpec signal, double factor) =>
        policy with { Spec = policy.Spec with { LeadingSignal = signal with { RequestsPerUnit = signal.RequestsPerUnit * factor } } };

    private static void Row(List<ReplayEntry> entries, string name, ScalePolicy policy, ReplaySettings settings) =>
        entries.Add(new ReplayEntry(name, _ => new EngineController(policy, settings.StartupSeconds) { Name = name }));
}
