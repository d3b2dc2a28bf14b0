using System.Globalization;
using System.Text.RegularExpressions;

namespace ScaleControl.Benchmarks;

internal static partial class SoakCommand
{
    /// <summary>
    /// Evaluations per policy over the whole soak, from the server's <c>scalecontrol_evaluations_total</c>: each process
    /// counts from zero, so the counts are read before every kill and at the end and added up per policy. This shows how
    /// many distinct policies the loop evaluated and how often, instead of assuming it.
    /// </summary>
    internal sealed class EvaluationTally
    {
        private readonly Dictionary<string, long> _perPolicy = new(StringComparer.Ordinal);

        public void Add(IReadOnlyDictionary<string, long> processCounts)
        {
            foreach (var (policy, count) in processCounts)
            {
                _perPolicy[policy] = _perPolicy.GetValueOrDefault(policy) + count;
            }
        }

        /// <summary>One line: distinct policies evaluated, evaluations per policy (min / median / max), and those of the added bench policies never evaluated.</summary>
        public string Summary(int benchPolicies, TimeSpan duration)
        {
            var counts = _perPolicy.Values.Where(c => c > 0).Order().ToList();
            if (counts.Count == 0)
            {
                return "Evaluations: none seen at /metrics";
            }

            var bench = _perPolicy.Count(p => p.Key.StartsWith("bench/", StringComparison.Ordinal) && p.Value > 0);
            var benchCounts = _perPolicy.Where(p => p.Key.StartsWith("bench/", StringComparison.Ordinal)).Select(p => p.Value).Order().ToList();
            var benchFigures = benchCounts.Count == 0 ? "" :
                $"; the {benchPolicies} bench policies: {bench} evaluated, per policy min {benchCounts[0]}, median {benchCounts[benchCounts.Count / 2]}, max {benchCounts[^1]}";
            return $"Evaluations: {counts.Sum()} in {duration.TotalMinutes:0.#} min over {counts.Count} distinct policies, per policy min {counts[0]}, median {counts[counts.Count / 2]}, max {counts[^1]}{benchFigures}";
        }
    }

    private sealed partial class SoakServer
    {
        /// <summary>This process's <c>scalecontrol_evaluations_total</c> by "namespace/policy", read from <c>/metrics</c>.</summary>
        public async Task<Dictionary<string, long>> EvaluationsAsync()
        {
            var text = await _http.GetStringAsync("/metrics");
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (Match m in EvaluationLine().Matches(text))
            {
                var labels = m.Groups["labels"].Value;
                var ns = Label().Matches(labels).FirstOrDefault(l => l.Groups["name"].Value == "namespace")?.Groups["value"].Value;
                var policy = Label().Matches(labels).FirstOrDefault(l => l.Groups["name"].Value == "policy")?.Groups["value"].Value;
                if (ns is not null && policy is not null)
                {
                    counts[$"{ns}/{policy}"] = (long)double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
                }
            }

            return counts;
        }

        [GeneratedRegex(@"^scalecontrol_evaluations_total\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
        private static partial Regex EvaluationLine();

        [GeneratedRegex(@"(?<name>\w+)=""(?<value>[^""]*)""")]
        private static partial Regex Label();
    }
}
