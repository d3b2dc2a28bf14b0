using System.Xml.Linq;

namespace ScaleControl.Server.Tests.Hosting;

/// <summary>
/// The hot-path benchmark measures the product only if it runs with the server's JIT and GC settings: once it kept
/// .NET's default tiered PGO while the server turns it off, and its figure was ~25 % better than the product's.
/// </summary>
public sealed class BenchmarkRuntimeSettingsTests
{
    [Theory]
    [InlineData("TieredPGO")]
    [InlineData("ServerGarbageCollection")]
    public void Benchmarks_RunWithTheServersSetting(string property)
    {
        var server = Property("src/ScaleControl.Server/ScaleControl.Server.csproj", property);
        var benchmarks = Property("tests/ScaleControl.Benchmarks/ScaleControl.Benchmarks.csproj", property);

        Assert.NotNull(server);
        Assert.True(
            server == benchmarks || (property == "ServerGarbageCollection" && server == "false" && benchmarks is null),
            $"{property}: the server sets {server}, the benchmarks {benchmarks ?? "nothing (the SDK default)"}");
    }

    /// <summary>
    /// The footprint at 128Mi holds with these (README, Performance / Footprint: the default gen0 budget follows the
    /// L3 cache and left the product thrashing at its limit). Only the environment can set them, so the image does, and
    /// the benchmarks read them from the Dockerfile.
    /// </summary>
    [Theory]
    [InlineData("DOTNET_gcServer=0")]
    [InlineData("DOTNET_GCgen0size=0x200000")]
    public void Image_SetsTheMeasuredGcSettings(string variable)
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoRoot(), "src/ScaleControl.Server/Dockerfile"));

        Assert.Matches($@"(?m)^ENV (.*\\\n)*\s*.*\b{variable}\b", dockerfile);
    }

    private static string? Property(string project, string name) =>
        XDocument.Load(Path.Combine(RepoRoot(), project)).Descendants(name).SingleOrDefault()?.Value.Trim();

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
