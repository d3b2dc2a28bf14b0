using ScaleControl.Core.Policies;

namespace ScaleControl.Simulation;

/// <summary>One trace, two controllers on the same cluster and per-pod target: the HPA baseline and a ScaleControl policy.</summary>
public sealed record ReplayComparison(ReplayResult Hpa, ReplayResult ScaleControl)
{
    public double ShortfallRatio => Ratio(ScaleControl.ShortfallPodSeconds, Hpa.ShortfallPodSeconds);

    public double OverProvisionRatio => Ratio(ScaleControl.OverProvisionPodSeconds, Hpa.OverProvisionPodSeconds);

    public static ReplayComparison Run(TrafficTrace trace, ScalePolicy policy, ReplaySettings settings)
    {
        var target = policy.Spec.Metrics[0].Target;
        var hpa = ReplayRunner.Run(trace, new HpaBaseline(target, policy.Spec.MinReplicas, policy.Spec.MaxReplicas), settings);
        var scaleControl = ReplayRunner.Run(trace, new EngineController(policy, settings.StartupSeconds), settings);
        return new ReplayComparison(hpa, scaleControl);
    }

    private static double Ratio(double ours, double theirs) => theirs <= 0 ? (ours <= 0 ? 0 : double.PositiveInfinity) : ours / theirs;
}
