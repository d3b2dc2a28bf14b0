using System.Globalization;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// Replays every trace (synthetic and real by default; or the directories / files given) through the HPA, the
/// HPA with the policy's tolerance, ScaleControl and the oracle on one shared metric pipeline, over several
/// seeds, prints a table per trace and a last line with the worst figures.
/// </summary>
internal static class ReplayCommand
{
    public static int Run(string[] args)
    {
        var root = RepoRoot();
        var options = new[] { "--seeds", "--scrape", "--policy" };
        var positional = args.Where((a, i) => !options.Contains(a) && (i == 0 || !options.Contains(args[i - 1]))).ToArray();
        var policyFile = positional.FirstOrDefault(a => a.EndsWith(".yaml", StringComparison.Ordinal))
            ?? OptionText(args, "--policy")
            ?? Path.Combine(root, "samples", "policies", "replay-benchmark.yaml");
        var sources = positional.Where(a => !a.EndsWith(".yaml", StringComparison.Ordinal)).ToArray();
        if (sources.Length == 0)
        {
            sources = [Path.Combine(root, "samples", "traces"), Path.Combine(root, "samples", "traces", "real")];
        }

        var files = sources.SelectMany(s => Directory.Exists(s) ? Directory.GetFiles(s, "*.csv").Order(StringComparer.Ordinal) : (IEnumerable<string>)[s]).ToArray();
        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var settings = new ReplaySettings
        {
            Seeds = BenchmarkArgs.Option(args, "--seeds", 10),
            ScrapeIntervalSeconds = BenchmarkArgs.Option(args, "--scrape", 15),
        };

        Console.WriteLine($"policy {policyFile}; {settings.Seeds} seeds (worst and median over them)");
        Console.WriteLine($"pipeline for every controller: Poisson arrivals, scrape every {settings.ScrapeIntervalSeconds}s (random phase), rate[{settings.RateWindowSeconds}s], query latency {settings.MinQueryLatencySeconds}-{settings.MaxQueryLatencySeconds}s");
        Console.WriteLine($"pods: {settings.CapacityPerPod} QPS each, start-up lognormal median {settings.StartupSeconds}s (sigma {settings.StartupSpread}); over-provisioning counts every pod held");
        var worst = new Worst();
        foreach (var file in files)
        {
            var trace = TrafficTrace.Load(file);
            var entries = ReplaySuite.StandardEntries(policy, settings);
            var signalled = LeadingSignalRows.Add(entries, policy, trace, settings);
            var report = ReplaySuite.Run(trace, entries, settings);
            Print(report);
            worst.Add(report);
            if (signalled)
            {
                worst.Signal = Math.Max(worst.Signal ?? 0, LeadingSignalRows.Print(report));
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay: shortfall_ratio={worst.Shortfall:0.00} overprovision_ratio={worst.Over:0.00} flaps_quiet={worst.FlapsQuiet} peak_ratio={worst.Peak:0.00} parity_shortfall_ratio={worst.ParityShortfall:0.00} quiet_changes_ratio={worst.QuietChanges:0.00}{(worst.Signal is { } signal ? $" signal_shortfall_ratio={signal:0.00}" : "")}"));
        return 0;
    }

    private static void Print(TraceReport report)
    {
        var trace = report.Trace;
        Console.WriteLine();
        Console.WriteLine($"== {trace.Name} ({trace.DurationSeconds / 60:0} min, peak {trace.PeakQps:0} QPS = {trace.PeakQps / 500:0.#} pods){(trace.IsQuiet ? " [quiet]" : "")}");
        Console.WriteLine($"{"controller",-15} {"shortfall pod-s",16} {"over pod-s",11} {"time to cap s",14} {"changes",8} {"max/10min",10} {"peak pods",10}");
        Console.WriteLine($"{"",-15} {"median",16} {"median",11} {"median",14} {"median",8} {"worst",10} {"worst",10}");
        foreach (var (name, results) in report.Results)
        {
            var ttc = results.All(r => r.TimeToCapacitySeconds is not null) ? report.Median(name, r => r.TimeToCapacitySeconds!.Value).ToString("0", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{name,-15} {report.Median(name, r => r.ShortfallPodSeconds),16:0} {report.Median(name, r => r.OverProvisionPodSeconds),11:0} {ttc,14} {report.Median(name, r => r.Changes),8:0} {report.Worst(name, r => r.MaxChangesPer10Minutes),10:0} {report.Worst(name, r => r.PeakReplicas),10:0}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ScaleControl, worst over seeds: shortfall {report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.ShortfallPodSeconds):0.00}x HPA, {report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.HpaParity, r => r.ShortfallPodSeconds):0.00}x HPA tol=policy; over-provisioning {report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.OverProvisionPodSeconds):0.00}x HPA; changes {report.WorstRatio(ReplaySuite.ScaleControl, ReplaySuite.Hpa, r => r.Changes):0.00}x HPA; peak {report.Worst(ReplaySuite.ScaleControl, r => r.PeakReplicas / r.PeakDemandPods):0.00}x peak demand; gap to oracle closed {report.GapClosed(ReplaySuite.ScaleControl):0%} (median); oracle now {report.WorstRatio(ReplaySuite.OracleNow, ReplaySuite.Hpa, r => r.ShortfallPodSeconds):0.00}x HPA shortfall"));
    }

    /// <summary>The last line's figures: worst over spike traces for the ratios, over quiet traces for flapping.</summary>
    private sealed class Worst
    {
        public double Shortfall { get; private set; }
        public double Over { get; private set; }
        public double Peak { get; private set; }
        public double ParityShortfall { get; private set; }
        public int FlapsQuiet { get; private set; }
        public double QuietChanges { get; private set; }

        /// <summary>Worst shortfall ratio to the HPA with the leading signal, over traces that carry it.</summary>
        public double? Signal { get; set; }

        public void Add(TraceReport report)
        {
            const string Us = ReplaySuite.ScaleControl;
            if (report.Trace.IsQuiet)
            {
                FlapsQuiet = Math.Max(FlapsQuiet, (int)report.Worst(Us, r => r.MaxChangesPer10Minutes));
                QuietChanges = Math.Max(QuietChanges, report.WorstRatio(Us, ReplaySuite.Hpa, r => r.Changes));
                return;
            }

            Shortfall = Math.Max(Shortfall, report.WorstRatio(Us, ReplaySuite.Hpa, r => r.ShortfallPodSeconds));
            Over = Math.Max(Over, report.WorstRatio(Us, ReplaySuite.Hpa, r => r.OverProvisionPodSeconds));
            ParityShortfall = Math.Max(ParityShortfall, report.WorstRatio(Us, ReplaySuite.HpaParity, r => r.ShortfallPodSeconds));
            Peak = Math.Max(Peak, report.Worst(Us, r => r.PeakReplicas / r.PeakDemandPods));
        }
    }

    private static string? OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
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
