using ScaleControl.Core.Policies;

namespace ScaleControl.Simulation;

/// <summary>A controller in a replay suite: a name and how to build a fresh one for a seed.</summary>
public sealed record ReplayEntry(string Name, Func<int, IReplayController> Create);

/// <summary>
/// One trace through several controllers over the same seeds (paired: seed n gives every controller the same
/// arrivals, scrape phase and start-up draws). The standard rows: the HPA with its defaults, the HPA with the
/// policy's per-direction tolerance, ScaleControl with the policy, the oracle, and the oracle without foresight (exact
/// demand now, no metric pipeline: the floor for a purely reactive controller). More rows can be added.
/// </summary>
public static class ReplaySuite
{
    public const string Hpa = "HPA";
    public const string HpaParity = "HPA tol=policy";
    public const string ScaleControl = "ScaleControl";
    public const string Oracle = "Oracle";
    public const string OracleNow = "Oracle now";

    public static List<ReplayEntry> StandardEntries(ScalePolicy policy, ReplaySettings settings)
    {
        var spec = policy.Spec;
        var target = spec.Metrics[0].Target;
        var up = spec.Behavior.ScaleUp.Tolerance ?? spec.Tolerance;
        var down = spec.Behavior.ScaleDown.Tolerance ?? spec.Tolerance;
        var step = spec.Behavior.ScaleUp.MaxStep?.Percent ?? 100;
        return
        [
            new(Hpa, _ => new HpaBaseline(target, spec.MinReplicas, spec.MaxReplicas)),
            new(HpaParity, _ => new HpaBaseline(target, spec.MinReplicas, spec.MaxReplicas, up, down, HpaParity)),
            new(ScaleControl, _ => new EngineController(policy, settings.StartupSeconds)),
            new(Oracle, _ => new OracleController(settings, spec.MinReplicas, spec.MaxReplicas, step)),
            new(OracleNow, _ => new OracleController(settings, spec.MinReplicas, spec.MaxReplicas, step, foresight: false)),
        ];
    }

    public static TraceReport Run(TrafficTrace trace, IReadOnlyList<ReplayEntry> entries, ReplaySettings settings)
    {
        var results = entries.ToDictionary(e => e.Name, _ => new List<ReplayResult>(), StringComparer.Ordinal);
        for (var seed = 1; seed <= settings.Seeds; seed++)
        {
            foreach (var entry in entries)
            {
                results[entry.Name].Add(ReplayRunner.Run(trace, entry.Create(seed), settings, seed) with { Controller = entry.Name });
            }
        }

        return new TraceReport(trace, results);
    }
}

/// <summary>All seeds of one trace, and the paired comparisons the goals are stated in (worst over seeds).</summary>
public sealed record TraceReport(TrafficTrace Trace, IReadOnlyDictionary<string, List<ReplayResult>> Results)
{
    /// <summary>Worst over seeds of ours / theirs for one figure (paired by seed).</summary>
    public double WorstRatio(string ours, string theirs, Func<ReplayResult, double> figure) =>
        Results[ours].Zip(Results[theirs], (a, b) => Ratio(figure(a), figure(b))).Max();

    /// <summary>Median over seeds of the share of the HPA-to-oracle gap a controller closes on shortfall.</summary>
    public double GapClosed(string controller, string baseline = ReplaySuite.Hpa, string oracle = ReplaySuite.Oracle)
    {
        var gaps = Results[controller].Select((r, i) =>
        {
            var hpa = Results[baseline][i].ShortfallPodSeconds;
            var floor = Results[oracle][i].ShortfallPodSeconds;
            return hpa - floor <= 0 ? 0 : (hpa - r.ShortfallPodSeconds) / (hpa - floor);
        }).Order().ToArray();
        return gaps[gaps.Length / 2];
    }

    public double Median(string controller, Func<ReplayResult, double> figure)
    {
        var values = Results[controller].Select(figure).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    public double Worst(string controller, Func<ReplayResult, double> figure) => Results[controller].Max(figure);

    private static double Ratio(double ours, double theirs) => theirs <= 0 ? (ours <= 0 ? 0 : double.PositiveInfinity) : ours / theirs;
}
