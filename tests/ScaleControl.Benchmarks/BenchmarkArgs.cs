using System.Globalization;

namespace ScaleControl.Benchmarks;

/// <summary>The <c>--name value</c> options and percentiles the benchmark modes share.</summary>
internal static class BenchmarkArgs
{
    public static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>The p-th percentile (0–100, nearest rank); NaN for no values.</summary>
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
