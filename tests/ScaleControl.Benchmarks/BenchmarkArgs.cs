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

    /// <summary>A path option, made absolute.</summary>
    public static string? StringOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? Path.GetFullPath(args[index + 1]) : null;
    }

    /// <summary>The Release build of the server next to the ScaleControl.sln above the current (or this program's) directory.</summary>
    public static string? DefaultServerDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ScaleControl.sln")))
                    return Path.Combine(directory.FullName, "src", "ScaleControl.Server", "bin", "Release", "net10.0");
            }
        }

        return null;
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
