using System.Diagnostics;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>scalectl ships as a .NET tool: pack the project, install it from the local nupkg, run the installed command.</summary>
public sealed class ToolInstallTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("scalectl-tool-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task PackAndInstall_FromLocalNupkg_InstalledScalectlRuns()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "ScaleControl.Cli");
        var artifacts = Path.Combine(_work, "artifacts");
        var tools = Path.Combine(_work, "tools");
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0

        var pack = await RunAsync("dotnet", "pack", project, "--no-build", "-c", configuration, "-o", artifacts, "-nologo");
        Assert.True(pack.Code == 0, pack.Output);
        Assert.Single(Directory.GetFiles(artifacts, "ScaleControl.Cli.*.nupkg"));

        var install = await RunAsync("dotnet", "tool", "install", "--tool-path", tools, "--add-source", artifacts, "ScaleControl.Cli");
        Assert.True(install.Code == 0, install.Output);

        var version = await RunAsync(Path.Combine(tools, "scalectl"), "--version");
        var completion = await RunAsync(Path.Combine(tools, "scalectl"), "completion", "bash");
        Assert.True(version.Code == 0, version.Output);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Output);
        Assert.Contains("complete -o default -F _scalectl_complete scalectl", completion.Output, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ScaleControl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ScaleControl.sln not found above the test output");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
