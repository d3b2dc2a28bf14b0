using System.Globalization;
using ScaleControl.Core.Policies;

namespace ScaleControl.Simulation;

/// <summary>
/// The HPA tuned until it gives ScaleControl's service, to ask what each costs. The replay's ratios are against the
/// HPA at the policy's own target, which runs below demand on plateaus; an SRE who wants it to run short less lowers
/// its target. The sweep runs the HPA's target from 1.0× down to 0.5× the policy's in 2.5 % steps, with the default
/// and with the policy's tolerance; the match picks per trace what a person would pick knowing the traffic, which
/// makes it a stronger baseline than any one setting chosen in advance.
/// </summary>
public static class EqualService
{
    private const int Steps = 20;
    private const double StepShare = 0.025;

    /// <summary>ScaleControl with the policy, and every HPA configuration of the sweep.</summary>
    public static List<ReplayEntry> Entries(ScalePolicy policy, ReplaySettings settings)
    {
        var spec = policy.Spec;
        var entries = new List<ReplayEntry> { new(ReplaySuite.ScaleControl, _ => new EngineController(policy, settings.StartupSeconds)) };
        var tolerances = new (string Label, double Up, double Down)[]
        {
            ("tol 0.1", 0.1, 0.1),
            ("tol=policy", spec.Behavior.ScaleUp.Tolerance ?? spec.Tolerance, spec.Behavior.ScaleDown.Tolerance ?? spec.Tolerance),
        };
        foreach (var (label, up, down) in tolerances)
        {
            for (var step = 0; step <= Steps; step++)
            {
                var share = 1 - (step * StepShare);
                var name = string.Create(CultureInfo.InvariantCulture, $"HPA {share:0.000}x target, {label}");
                entries.Add(new(name, _ => new HpaBaseline(spec.Metrics[0].Target * share, spec.MinReplicas, spec.MaxReplicas, up, down, name)));
            }
        }

        return entries;
    }

    /// <summary>Equal service: the configuration with the fewest over-provisioned pod-seconds whose median shortfall is no more than ScaleControl's; null when none runs short this little.</summary>
    public static string? Service(TraceReport report) => Others(report)
        .Where(name => Shortfall(report, name) <= Shortfall(report, ReplaySuite.ScaleControl))
        .MinBy(name => Over(report, name));

    /// <summary>Equal cost: the configuration with the least shortfall that holds no more over-provisioning than ScaleControl; null when every one holds more.</summary>
    public static string? Cost(TraceReport report) => Others(report)
        .Where(name => Over(report, name) <= Over(report, ReplaySuite.ScaleControl))
        .MinBy(name => Shortfall(report, name));

    public static double Shortfall(TraceReport report, string name) => report.Median(name, r => r.ShortfallPodSeconds);

    public static double Over(TraceReport report, string name) => report.Median(name, r => r.OverProvisionPodSeconds);

    private static IEnumerable<string> Others(TraceReport report) => report.Results.Keys.Where(name => name != ReplaySuite.ScaleControl);
}
