namespace ScaleControl.Simulation;

/// <summary>
/// The Kubernetes HPA (autoscaling/v2, External metric with an AverageValue target) with its documented defaults:
/// 15 s sync period, 0.1 tolerance, scale-up at most max(4 pods, 100%) per 15 s, scale-down at most 100% per 15 s
/// after a 300 s stabilization window (max of recommendations), and a metric pipeline ~30 s behind
/// (metrics scrape + adapter). Written from the HPA documentation, independently of ScaleControl's engine.
/// </summary>
public sealed class HpaBaseline(double targetPerPod, int minReplicas, int maxReplicas, double pipelineDelaySeconds = 30) : IReplayController
{
    private const double Tolerance = 0.1;
    private const int ScaleUpPods = 4;
    private const double ScaleUpPercent = 100;
    private const double ScaleDownPercent = 100;
    private const double PeriodSeconds = 15;
    private const double DownStabilizationSeconds = 300;

    private readonly List<(double Time, int Replicas)> _recommendations = [];
    private readonly List<(double Time, int Delta)> _changes = [];

    public string Name => "HPA";

    public int IntervalSeconds => 15;

    public double MetricDelaySeconds(double now) => pipelineDelaySeconds;

    public int Decide(double now, ObservedMetric metric, int specReplicas, int readyReplicas)
    {
        // GetExternalPerPodMetricReplicas: usage ratio against the current count, tolerance band, then ceil(value / target).
        var ratio = metric.Value / (targetPerPod * specReplicas);
        var recommendation = Math.Abs(ratio - 1) <= Tolerance ? specReplicas : (int)Math.Ceiling(metric.Value / targetPerPod);

        // Stabilization: up window 0 (the recommendation itself), down window = max over 300 s.
        _recommendations.Add((now, recommendation));
        _recommendations.RemoveAll(r => r.Time < now - DownStabilizationSeconds);
        var downRecommendation = _recommendations.Max(r => r.Replicas);
        var stabilized = specReplicas;
        if (stabilized < recommendation)
        {
            stabilized = recommendation;
        }

        if (stabilized > downRecommendation)
        {
            stabilized = downRecommendation;
        }

        // Rate limits over the last period (selectPolicy Max).
        _changes.RemoveAll(c => c.Time <= now - PeriodSeconds);
        var desired = stabilized;
        if (desired > specReplicas)
        {
            var periodStart = specReplicas - _changes.Where(c => c.Delta > 0).Sum(c => c.Delta);
            var limit = Math.Max(periodStart + ScaleUpPods, (int)Math.Ceiling(periodStart * (1 + (ScaleUpPercent / 100))));
            desired = Math.Min(desired, Math.Max(limit, specReplicas));
        }
        else if (desired < specReplicas)
        {
            var periodStart = specReplicas - _changes.Where(c => c.Delta < 0).Sum(c => c.Delta);
            var limit = (int)Math.Floor(periodStart * (1 - (ScaleDownPercent / 100)));
            desired = Math.Max(desired, Math.Min(limit, specReplicas));
        }

        desired = Math.Clamp(desired, minReplicas, maxReplicas);
        if (desired != specReplicas)
        {
            _changes.Add((now, desired - specReplicas));
        }

        return desired;
    }
}
