using System.Diagnostics;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs the real server (<c>dotnet ScaleControl.Server.dll</c>) in <paramref name="directory"/> as a user starts it, for a
/// start expected to stop by itself: waits for its exit and returns what it printed.
/// </summary>
public static class RefusedStart
{
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(
        string directory, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ScaleControl.Server.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        using var server = Process.Start(start)!;
        var output = server.StandardOutput.ReadToEndAsync();
        var error = server.StandardError.ReadToEndAsync();
        try
        {
            await server.WaitForExitAsync().WaitAsync(Patience.Of(60));
        }
        catch (TimeoutException)
        {
            server.Kill(entireProcessTree: true); // it started after all: not left running behind the test
            throw;
        }

        return (server.ExitCode, await output, await error);
    }
}
