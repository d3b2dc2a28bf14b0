using System.Globalization;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// Where the over-provisioning pod-seconds come from, per spike trace, for the HPA and ScaleControl (mean over the
/// seeds): pods still starting, and ready pods above demand while the demand rises, holds before its peak, falls,
/// or holds after it (60 s change of the trace's demand beyond ±5 %).
/// </summary>
internal static class BreakdownCommand
{
    private static readonly string[] s_phases = ["starting", "rising", "level", "falling", "after"];

    public static int Run(string[] args)
    {
        var root = ReplayCommand.RepoRoot();
        var seeds = BenchmarkArgs.Option(args, "--seeds", 10);
        var sources = args.TakeWhile(a => a != "--seeds").ToArray();
        if (sources.Length == 0)
        {
            sources = [Path.Combine(root, "samples", "traces"), Path.Combine(root, "samples", "traces", "real")];
        }

        var policyFile = Path.Combine(root, "samples", "policies", "replay-benchmark.yaml");
        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var settings = new ReplaySettings();
        Console.WriteLine($"{"trace",-22} {"controller",-13} {"total",8} " + string.Join(" ", s_phases.Select(p => $"{p,9}")));
        foreach (var file in sources.SelectMany(s => Directory.Exists(s) ? Directory.GetFiles(s, "*.csv").Order(StringComparer.Ordinal) : (IEnumerable<string>)[s]))
        {
            var trace = TrafficTrace.Load(file);
            if (trace.IsQuiet)
            {
                continue;
            }

            var peakAt = Enumerable.Range(0, (int)trace.DurationSeconds).MaxBy(t => trace.QpsAt(t));
            var perSeed = new List<double[]>();
            foreach (var (name, create) in new (string, Func<IReplayController>)[]
            {
                ("HPA", () => new HpaBaseline(policy.Spec.Metrics[0].Target, policy.Spec.MinReplicas, policy.Spec.MaxReplicas)),
                ("ScaleControl", () => new EngineController(policy, settings.StartupSeconds)),
            })
            {
                var sums = new double[s_phases.Length];
                var totals = new double[seeds];
                perSeed.Add(totals);
                for (var seed = 1; seed <= seeds; seed++)
                {
                    var pipeline = new MetricPipeline(trace, settings, seed);
                    ReplayRunner.Run(trace, create(), settings, seed, (t, spec, ready) =>
                    {
                        var over = Math.Max(0, spec - (pipeline.ArrivalsAt(t) / settings.CapacityPerPod));
                        var starting = Math.Min(over, spec - ready);
                        sums[0] += starting / seeds;
                        totals[seed - 1] += over;
                        sums[Phase(trace, t, peakAt)] += (over - starting) / seeds;
                    });
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{trace.Name,-22} {name,-13} {sums.Sum(),8:0} ") + string.Join(" ", sums.Select(s => s.ToString("0", CultureInfo.InvariantCulture).PadLeft(9))));
            }

            Console.WriteLine($"{"",-22} {"per seed",-13} " + string.Join(" ", perSeed[1].Select((o, i) => (o / perSeed[0][i]).ToString("0.00", CultureInfo.InvariantCulture))));
        }

        return 0;
    }

    private static int Phase(TrafficTrace trace, int t, int peakAt)
    {
        var now = trace.QpsAt(t);
        var before = trace.QpsAt(Math.Max(0, t - 60));
        if (now > before * 1.05)
        {
            return 1;
        }

        if (now < before * 0.95)
        {
            return 3;
        }

        return t < peakAt ? 2 : 4;
    }
}
