using System.Globalization;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>Replays every trace through the HPA baseline and the ScaleControl policy and prints the comparison.</summary>
internal static class ReplayCommand
{
    public static int Run(string[] args)
    {
        var root = RepoRoot();
        var traceDir = args.Length > 0 ? args[0] : Path.Combine(root, "samples", "traces");
        var policyFile = args.Length > 1 ? args[1] : Path.Combine(root, "samples", "policies", "replay-benchmark.yaml");
        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var settings = new ReplaySettings();

        Console.WriteLine($"policy {policyFile}; pod start-up {settings.StartupSeconds}s, {settings.CapacityPerPod} QPS/pod, rate window {settings.RateWindowSeconds}s");
        Console.WriteLine("HPA: 15s sync, 30s metric pipeline delay; ScaleControl: 5s evaluation, 5-15s metric delay");
        double shortfallRatio = 0, overRatio = 0;
        var flapsQuiet = 0;
        foreach (var file in Directory.GetFiles(traceDir, "*.csv").Order(StringComparer.Ordinal))
        {
            var trace = TrafficTrace.Load(file);
            var c = ReplayComparison.Run(trace, policy, settings);
            Console.WriteLine();
            Console.WriteLine($"== {trace.Name} ({trace.DurationSeconds / 60:0} min, peak {trace.PeakQps:0} QPS){(trace.IsQuiet ? " [quiet]" : "")}");
            Console.WriteLine($"{"controller",-13} {"shortfall pod-s",16} {"over pod-s",12} {"time to cap s",14} {"changes",8} {"max/10min",10} {"peak pods",10}");
            foreach (var r in new[] { c.Hpa, c.ScaleControl })
            {
                var ttc = r.TimeToCapacitySeconds is { } s ? s.ToString("0", CultureInfo.InvariantCulture) : "-";
                Console.WriteLine($"{r.Controller,-13} {r.ShortfallPodSeconds,16:0} {r.OverProvisionPodSeconds,12:0} {ttc,14} {r.Changes,8} {r.MaxChangesPer10Minutes,10} {r.PeakReplicas,10}");
            }

            if (trace.IsQuiet)
            {
                flapsQuiet = Math.Max(flapsQuiet, c.ScaleControl.MaxChangesPer10Minutes);
            }
            else
            {
                Console.WriteLine($"ratio ScaleControl/HPA: shortfall {c.ShortfallRatio:0.00}, over-provisioning {c.OverProvisionRatio:0.00}");
                shortfallRatio = Math.Max(shortfallRatio, c.ShortfallRatio);
                overRatio = Math.Max(overRatio, c.OverProvisionRatio);
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: shortfall_ratio={shortfallRatio:0.00} overprovision_ratio={overRatio:0.00} flaps_quiet={flapsQuiet}"));
        return 0;
    }

    public static string RepoRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("run from inside the repository (ScaleControl.sln not found)");
    }
}
