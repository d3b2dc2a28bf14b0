using System.Globalization;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>Prints demand and both controllers' spec/ready replicas every N seconds of one trace (to see why the figures are what they are).</summary>
internal static class TimelineCommand
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: -- timeline <trace.csv> [policy.yaml] [stepSeconds] [fromSeconds] [toSeconds] [--seed N] [--changes]");
            return 2;
        }

        var seed = BenchmarkArgs.Option(args, "--seed", 1);
        // --changes: only ScaleControl's changes (with the reason) instead of every step.
        var changesOnly = args.Contains("--changes");
        args = [.. args.Where(a => a != "--changes").TakeWhile(a => a != "--seed")];
        var trace = TrafficTrace.Load(args[0]);
        var policyFile = args.Length > 1 && args[1].Length > 0 ? args[1] : Path.Combine(ReplayCommand.RepoRoot(), "samples", "policies", "replay-benchmark.yaml");
        var step = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
        var from = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var to = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : int.MaxValue;
        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var settings = new ReplaySettings();

        var hpa = new Dictionary<int, (int, int)>();
        var ours = new Dictionary<int, (int, int)>();
        var reasons = new Dictionary<int, string>();
        ReplayRunner.Run(trace, new HpaBaseline(policy.Spec.Metrics[0].Target, policy.Spec.MinReplicas, policy.Spec.MaxReplicas), settings, seed, (t, s, r) => hpa[t] = (s, r));
        var engine = new EngineController(policy, settings.StartupSeconds);
        ReplayRunner.Run(trace, engine, settings, seed, (t, s, r) =>
        {
            ours[t] = (s, r);
            reasons[t] = engine.LastDecision?.Reason ?? "";
        });

        Console.WriteLine($"{"t",6} {"demand pods",12} {"HPA spec/ready",15} {"SC spec/ready",15}  last ScaleControl reason");
        for (var t = from; t <= Math.Min(to, (int)trace.DurationSeconds); t += changesOnly ? 1 : step)
        {
            if (changesOnly && (!ours.ContainsKey(t) || !ours.ContainsKey(t - 1) || ours[t].Item1 == ours[t - 1].Item1))
            {
                continue;
            }


            var demand = trace.QpsAt(t) / settings.CapacityPerPod;
            Console.WriteLine($"{t,6} {demand,12:0.0} {$"{hpa[t].Item1}/{hpa[t].Item2}",15} {$"{ours[t].Item1}/{ours[t].Item2}",15}  {reasons[t]}");
        }

        return 0;
    }
}
