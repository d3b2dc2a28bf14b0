using System.Globalization;
using ScaleControl.Policies.Yaml;
using ScaleControl.Simulation;

namespace ScaleControl.Benchmarks;

/// <summary>
/// What the HPA costs when its target is tuned, per trace and with hindsight, to give the service ScaleControl gives
/// (see <see cref="EqualService"/>): prints, per trace, ScaleControl's medians, the HPA at equal service and at equal
/// cost, and a last line with the worst seed's ratios.
/// </summary>
internal static class EqualServiceCommand
{
    public static int Run(string[] args)
    {
        var root = ReplayCommand.RepoRoot();
        var options = new[] { "--seeds", "--scrape" };
        var positional = args.Where((a, i) => !options.Contains(a) && (i == 0 || !options.Contains(args[i - 1]))).ToArray();
        var policyFile = positional.FirstOrDefault(a => a.EndsWith(".yaml", StringComparison.Ordinal))
            ?? Path.Combine(root, "samples", "policies", "replay-benchmark.yaml");
        var sources = positional.Where(a => !a.EndsWith(".yaml", StringComparison.Ordinal)).ToArray();
        if (sources.Length == 0)
        {
            sources = [Path.Combine(root, "samples", "traces"), Path.Combine(root, "samples", "traces", "real")];
        }

        var policy = PolicyYaml.Load(File.ReadAllText(policyFile), policyFile);
        var settings = new ReplaySettings
        {
            Seeds = BenchmarkArgs.Option(args, "--seeds", 10),
            ScrapeIntervalSeconds = BenchmarkArgs.Option(args, "--scrape", 15),
        };

        Console.WriteLine($"policy {policyFile}; {settings.Seeds} seeds; scrape every {settings.ScrapeIntervalSeconds}s; the HPA's target swept 1.0x-0.5x the policy's, default and policy tolerance");
        Console.WriteLine($"{"trace",-22} {"view",-13} {"controller",-30} {"shortfall pod-s",15} {"over pod-s",11} {"changes",8}   ratio (median / worst seed)");
        var worst = new Worst();
        var files = sources.SelectMany(s => Directory.Exists(s) ? Directory.GetFiles(s, "*.csv").Order(StringComparer.Ordinal) : (IEnumerable<string>)[s]);
        foreach (var file in files)
        {
            var trace = TrafficTrace.Load(file);
            var report = ReplaySuite.Run(trace, EqualService.Entries(policy, settings), settings);
            const string Us = ReplaySuite.ScaleControl;
            Print(report, $"{trace.Name}{(trace.IsQuiet ? " [quiet]" : "")}", "ScaleControl", Us, $"");

            if (EqualService.Service(report) is { } service)
            {
                var over = report.WorstRatio(Us, service, r => r.OverProvisionPodSeconds);
                Print(report, "", "equal service", service, $"over {EqualService.Over(report, Us) / EqualService.Over(report, service):0.00} / {over:0.00}");
                if (trace.IsQuiet)
                {
                    var changes = report.WorstRatio(Us, service, r => r.Changes);
                    worst.QuietChanges = Math.Max(worst.QuietChanges, changes);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"",-22} {"",-13} {"",-30} {"",15} {"",11} {"",8}   changes {report.Median(Us, r => r.Changes) / report.Median(service, r => r.Changes):0.00} / {changes:0.00}"));
                }
                else
                {
                    worst.Over = Math.Max(worst.Over, over);
                }
            }
            else
            {
                worst.Unmatched++;
                Console.WriteLine($"{"",-22} {"equal service",-13} no HPA target down to 0.5x runs short this little");
            }

            if (EqualService.Cost(report) is { } cost)
            {
                var shortfall = report.WorstRatio(Us, cost, r => r.ShortfallPodSeconds);
                Print(report, "", "equal cost", cost, $"shortfall {EqualService.Shortfall(report, Us) / EqualService.Shortfall(report, cost):0.00} / {shortfall:0.00}");
                if (!trace.IsQuiet)
                {
                    worst.Shortfall = Math.Max(worst.Shortfall, shortfall);
                }
            }
            else
            {
                Console.WriteLine($"{"",-22} {"equal cost",-13} every HPA target from 1.0x down holds more over-provisioning");
            }
        }

        Console.WriteLine("(figures are medians over seeds; a ratio is ScaleControl's figure over the matched HPA's: of the medians, and the worst seed, paired)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"equal-service: overprovision_ratio={worst.Over:0.00} unmatched={worst.Unmatched} equal_cost_shortfall_ratio={worst.Shortfall:0.00} quiet_changes_ratio={worst.QuietChanges:0.00}"));
        return 0;
    }

    private static void Print(TraceReport report, string trace, string view, string controller, FormattableString ratio) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{trace,-22} {view,-13} {controller,-30} {EqualService.Shortfall(report, controller),15:0} {EqualService.Over(report, controller),11:0} {report.Median(controller, r => r.Changes),8:0}   {ratio.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>The last line: worst over spike traces (quiet traces for changes) of the worst seed's ratio.</summary>
    private sealed class Worst
    {
        public double Over { get; set; }
        public double Shortfall { get; set; }
        public double QuietChanges { get; set; }
        public int Unmatched { get; set; }
    }
}
