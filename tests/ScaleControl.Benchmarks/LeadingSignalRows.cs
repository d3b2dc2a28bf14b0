using System.Globalization;
using ScaleControl.Core.Policies;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// On a trace that carries the policy's leading signal as a column, the ScaleControl row uses the signal; this adds
/// the same policy without it, so one run shows what the signal is worth against the HPA.
/// </summary>
internal static class LeadingSignalRows
{
    public const string WithoutSignal = "SC w/o signal";

    /// <summary>Adds the row without the signal when the trace has the signal's series; returns whether it did.</summary>
    public static bool Add(List<ReplayEntry> entries, ScalePolicy policy, TrafficTrace trace, ReplaySettings settings)
    {
        if (policy.Spec.LeadingSignal is not { } signal || !trace.SeriesNames.Contains(signal.Name))
        {
            return false;
        }

        var plain = policy with { Spec = policy.Spec with { LeadingSignal = null } };
        entries.Add(new ReplayEntry(WithoutSignal, _ => new EngineController(plain, settings.StartupSeconds) { Name = WithoutSignal }));
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
        return with;
    }
}
