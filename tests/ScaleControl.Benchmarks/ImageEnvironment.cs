using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace ScaleControl.Benchmarks;

/// <summary>
/// The .NET runtime settings the server's image sets in its environment (<c>ENV DOTNET_…</c> in
/// src/ScaleControl.Server/Dockerfile): the benchmarks run the product, or its loop, with exactly these, read from the
/// Dockerfile itself so a figure cannot drift from what ships.
/// </summary>
internal static partial class ImageEnvironment
{
    /// <summary>The image's <c>DOTNET_*</c> variables, from the repository's src/ScaleControl.Server/Dockerfile.</summary>
    public static IReadOnlyDictionary<string, string> Runtime() =>
        Parse(File.ReadAllText(Path.Combine(ReplayCommand.RepoRoot(), "src", "ScaleControl.Server", "Dockerfile")));

    /// <summary>The <c>DOTNET_*</c> pairs of every <c>ENV</c> instruction (continued lines joined, comments skipped).</summary>
    private static IReadOnlyDictionary<string, string> Parse(string dockerfile)
    {
        var lines = dockerfile.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !l.TrimStart().StartsWith('#'));
        var instructions = string.Join('\n', lines).Replace("\\\n", " ", StringComparison.Ordinal).Split('\n');
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in instructions.Where(i => i.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in EnvPair().Matches(instruction))
            {
                variables[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        return variables;
    }

    /// <summary>
    /// The image's variables this process was started without (one set differently on purpose, e.g.
    /// <c>DOTNET_GCgen0size=0</c> to compare, counts as present).
    /// </summary>
    public static IReadOnlyDictionary<string, string> MissingHere() =>
        Runtime().Where(v => Environment.GetEnvironmentVariable(v.Key) is null).ToDictionary(v => v.Key, v => v.Value);

    /// <summary>Runs this benchmark program again with <paramref name="variables"/> added to its environment; its exit code.</summary>
    public static async Task<int> RerunWithAsync(IReadOnlyDictionary<string, string> variables, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the benchmark again");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    [GeneratedRegex(@"\b(DOTNET_\w+)=(\S+)")]
    private static partial Regex EnvPair();
}
