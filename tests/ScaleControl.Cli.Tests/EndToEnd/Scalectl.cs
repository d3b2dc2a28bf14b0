using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>What one run of the real scalectl binary printed and returned.</summary>
public sealed record ScalectlResult(int ExitCode, string Output, string Error)
{
    public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON output");

    /// <summary>Lines of a table, header first.</summary>
    public string[] Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// Runs <c>dotnet scalectl.dll ...</c> as a separate process, as a user would, with its own empty HOME so no personal
/// config file leaks in. Server and token go in through the environment unless a test passes flags.
/// </summary>
public sealed class Scalectl(string? server, string? token, IReadOnlyDictionary<string, string>? environment = null)
{
    private static readonly string s_dll = Path.Combine(AppContext.BaseDirectory, "scalectl.dll");
    private static readonly string s_home = Directory.CreateTempSubdirectory("scalectl-test-home-").FullName;

    public Scalectl WithToken(string? other) => new(server, other, environment);

    public async Task<ScalectlResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(s_dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = s_home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(s_home, ".config");
        start.Environment.Remove("SCALECTL_CONFIG");
        Set(start, "SCALECTL_SERVER", server);
        Set(start, "SCALECTL_TOKEN", token);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start scalectl");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience.Of(20)); // a fresh .NET process JIT-ing on a starved runner
        await process.WaitForExitAsync(timeout.Token);
        return new ScalectlResult(process.ExitCode, await output, await error);
    }

    private static void Set(ProcessStartInfo start, string name, string? value)
    {
        if (value is null)
        {
            start.Environment.Remove(name);
        }
        else
        {
            start.Environment[name] = value;
        }
    }
}
