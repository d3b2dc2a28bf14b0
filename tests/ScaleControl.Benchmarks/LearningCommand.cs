using System.Globalization;
using ScaleControl.Core.Decisions;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// What learning the leading signal's conversion wins, push by push: a trace with the same push several times
/// (default <c>samples/traces/repeated/push-3x-40min.csv</c>) replayed with requestsPerUnit as configured, doubled and halved,
/// each with the learned factor carried in the policy's status from push to push (as the loop keeps it) and without;
/// per push, the shortfall and over-provisioning against the HPA's on the same push (worst over seeds, or the median
/// with <c>--median</c>), the most pods, and the factor learned by its end.
/// </summary>
internal static class LearningCommand
{
    public static int Run(string[] args)
    {
        var root = ReplayCommand.RepoRoot();
        var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] != "--seeds")).ToArray();
        var traceFile = positional.FirstOrDefault(a => a.EndsWith(".csv", StringComparison.Ordinal)) ?? Path.Combine(root, "samples", "traces", "repeated", "push-3x-40min.csv");
        var policyFile = positional.FirstOrDefault(a => a.EndsWith(".yaml", StringComparison.Ordinal)) ?? Path.Combine(root, "samples", "policies", "replay-benchmark.yaml");
        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var trace = TrafficTrace.Load(traceFile);
        var settings = new ReplaySettings { Seeds = BenchmarkArgs.Option(args, "--seeds", 10) };
        var median = args.Contains("--median");
        if (policy.Spec.LeadingSignal is not { } signal || !trace.SeriesNames.Contains(signal.Name))
        {
            Console.Error.WriteLine($"the policy's leading signal is not a column of {traceFile}");
            return 2;
        }

        var pushes = PushStarts(trace, signal.Name);
        Console.WriteLine($"{trace.Name}: {pushes.Length} pushes (at {string.Join(", ", pushes)} s); policy {policyFile}; {settings.Seeds} seeds, {(median ? "median" : "worst")} over them; peak pods worst");
        var hpa = Runs(trace, settings, pushes, _ => new HpaBaseline(policy.Spec.Metrics[0].Target, policy.Spec.MinReplicas, policy.Spec.MaxReplicas));
        foreach (var factor in new[] { 1, 2, 0.5 })
        {
            var converting = policy with { Spec = policy.Spec with { LeadingSignal = signal with { RequestsPerUnit = signal.RequestsPerUnit * factor } } };
            foreach (var learns in new[] { false, true })
            {
                var runs = Runs(trace, settings, pushes, _ => new EngineController(converting, settings.StartupSeconds) { LearnsConversion = learns });
                var cells = pushes.Select((_, p) => string.Create(CultureInfo.InvariantCulture,
                    $"push {p + 1}: shortfall {Ratio(runs, hpa, p, w => w.Shortfall, median):0.00}x over {Ratio(runs, hpa, p, w => w.Over, median):0.00}x peak {runs.Max(r => r[p].Peak)}{(learns ? $" learned x{runs.Max(r => r[p].Learned):0.##}" : "")}"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"x{factor:0.#} {(learns ? "learning" : "as configured"),-13} {string.Join(" | ", cells)}"));
            }
        }

        return 0;
    }

    /// <summary>Each push's window (from its send to the next send) per seed: shortfall and over-provisioning pod-seconds, and the factor learned by its end.</summary>
    private static List<Window[]> Runs(TrafficTrace trace, ReplaySettings settings, int[] pushes, Func<int, IReplayController> create)
    {
        var runs = new List<Window[]>();
        for (var seed = 1; seed <= settings.Seeds; seed++)
        {
            var windows = new Window[pushes.Length];
            var pipeline = new MetricPipeline(trace, settings, seed);
            var controller = create(seed);
            ReplayRunner.Run(pipeline, controller, settings, seed, (t, spec, ready) =>
            {
                var p = Array.FindLastIndex(pushes, s => s <= t);
                if (p < 0)
                {
                    return;
                }

                var demand = pipeline.ArrivalsAt(t) / settings.CapacityPerPod;
                var learned = controller is EngineController e ? LeadingSignalLearning.Factor(LeadingSignalLearning.For(e.Policy)) : 1;
                windows[p] = new Window(windows[p].Shortfall + Math.Max(0, demand - ready), windows[p].Over + Math.Max(0, spec - demand), learned, Math.Max(windows[p].Peak, spec));
            });
            runs.Add(windows);
        }

        return runs;
    }

    /// <summary>The controller's figure on push <paramref name="push"/> over the HPA's on the same push and seed: the worst over seeds, or the median.</summary>
    private static double Ratio(List<Window[]> runs, List<Window[]> hpa, int push, Func<Window, double> figure, bool median)
    {
        var ratios = runs.Select((r, seed) => figure(hpa[seed][push]) <= 0 ? 0 : figure(r[push]) / figure(hpa[seed][push])).Order().ToList();
        return median ? ratios[ratios.Count / 2] : ratios[^1];
    }

    /// <summary>The seconds at which the signal starts rising from zero.</summary>
    private static int[] PushStarts(TrafficTrace trace, string series)
    {
        var starts = new List<int>();
        for (var t = 1; t <= (int)trace.DurationSeconds; t++)
        {
            if (trace.SeriesAt(series, t) > 0 && trace.SeriesAt(series, t - 1) <= 0)
            {
                starts.Add(t - 1);
            }
        }

        return [.. starts];
    }

    private readonly record struct Window(double Shortfall, double Over, double Learned, int Peak);
}
