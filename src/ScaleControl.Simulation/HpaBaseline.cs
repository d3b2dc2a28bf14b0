namespace ScaleControl.Simulation;

/// <summary>
/// The Kubernetes HPA (autoscaling/v2, External metric with an AverageValue target) as upstream implements it in
/// <c>pkg/controller/podautoscaler</c>: 15 s sync, tolerance band (per direction as in KEP-4951, 0.1 by default),
/// then <c>stabilizeRecommendationWithBehaviors</c> (the first reconcile records the current count as a
/// recommendation, <c>recordInitialRecommendation</c>; up window 0 s = min, down window 300 s = max, both cutoffs
/// exclusive: a recommendation exactly 300 s old no longer counts) and <c>convertDesiredReplicasWithBehaviorRate</c>
/// (the period start is the current count minus additions plus deletions within the period; up max(4 pods, 100 %)
/// per 15 s, down 100 % per 15 s). Written from the upstream source, independently of ScaleControl's engine. It
/// reads the metric from the same pipeline as every other controller.
/// </summary>
public sealed class HpaBaseline(double targetPerPod, int minReplicas, int maxReplicas, double toleranceUp = 0.1, double toleranceDown = 0.1, string name = "HPA") : IReplayController
{
    private const int ScaleUpPods = 4;
    private const double ScaleUpPercent = 100;
    private const double ScaleDownPercent = 100;
    private const double PeriodSeconds = 15;
    private const double UpStabilizationSeconds = 0;
    private const double DownStabilizationSeconds = 300;

    private readonly List<(double Time, int Replicas)> _recommendations = [];
    private readonly List<(double Time, int Delta)> _upEvents = [];
    private readonly List<(double Time, int Delta)> _downEvents = [];
    private bool _started;

    public string Name => name;

    public int IntervalSeconds => 15;

    public int Decide(in ReplayTick tick)
    {
        var now = tick.Now;
        var current = tick.SpecReplicas;

        // recordInitialRecommendation: a new autoscaler's first reconcile records the current count, once.
        if (!_started)
        {
            _recommendations.Add((now, current));
            _started = true;
        }

        // GetExternalPerPodMetricReplicas: usage ratio against the current count; outside the band, ceil(usage / target).
        var ratio = tick.Metric.Value / (targetPerPod * current);
        var recommendation = ratio >= 1 - toleranceDown && ratio <= 1 + toleranceUp ? current : (int)Math.Ceiling(tick.Metric.Value / targetPerPod);

        // stabilizeRecommendationWithBehaviors: timestamps strictly after the cutoffs count.
        var up = recommendation;
        var down = recommendation;
        foreach (var (time, replicas) in _recommendations)
        {
            if (time > now - UpStabilizationSeconds)
            {
                up = Math.Min(up, replicas);
            }

            if (time > now - DownStabilizationSeconds)
            {
                down = Math.Max(down, replicas);
            }
        }

        _recommendations.RemoveAll(r => r.Time <= now - DownStabilizationSeconds);
        _recommendations.Add((now, recommendation));
        var stabilized = Math.Min(Math.Max(current, up), down);

        // convertDesiredReplicasWithBehaviorRate.
        var periodStart = current - Sum(_upEvents, now) + Sum(_downEvents, now);
        var desired = stabilized;
        if (desired > current)
        {
            var limit = Math.Max(periodStart + ScaleUpPods, (int)Math.Ceiling(periodStart * (1 + (ScaleUpPercent / 100))));
            desired = Math.Min(desired, Math.Min(maxReplicas, Math.Max(limit, current)));
        }
        else if (desired < current)
        {
            var limit = (int)(periodStart * (1 - (ScaleDownPercent / 100)));
            desired = Math.Max(desired, Math.Max(minReplicas, Math.Min(limit, current)));
        }

        desired = Math.Clamp(desired, minReplicas, maxReplicas);
        if (desired > current)
        {
            _upEvents.Add((now, desired - current));
        }
        else if (desired < current)
        {
            _downEvents.Add((now, current - desired));
        }

        return desired;
    }

    /// <summary>getReplicasChangePerPeriod: events strictly after now - period.</summary>
    private static int Sum(List<(double Time, int Delta)> events, double now)
    {
        events.RemoveAll(e => e.Time <= now - PeriodSeconds);
        var sum = 0;
        foreach (var e in events)
        {
            sum += e.Delta;
        }

        return sum;
    }
}
