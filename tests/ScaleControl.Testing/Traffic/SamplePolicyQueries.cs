namespace ScaleControl.Testing.Traffic;

/// <summary>The metric queries of the sample policies in <c>samples/prometheus/policies</c>.</summary>
public static class SamplePolicyQueries
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "samples", "prometheus");

    /// <summary>The replay traces (<c>samples/traces</c>), which the sandbox also plays.</summary>
    public static string TracesDirectory { get; } = Path.Combine(RepositoryRoot(), "samples", "traces");

    /// <summary>Queries of the policies written for the sandbox (everything but the production examples).</summary>
    public static IReadOnlyList<string> SandboxConvention() =>
        [.. System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "policies"), "*.yaml")
            .Where(f => !Path.GetFileName(f).StartsWith("production", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("query:", StringComparison.Ordinal))
            .Select(l => l["query:".Length..].Trim())];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException("ScaleControl.sln not found above " + AppContext.BaseDirectory);
    }
}
