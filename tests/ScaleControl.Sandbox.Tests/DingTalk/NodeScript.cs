using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Sandbox.Tests.DingTalk;

/// <summary>
/// Runs one of the official-SDK scripts in tests/ScaleControl.Sandbox.Tests/node with <c>node</c> (tests/run.sh does
/// the <c>npm install</c>). Lines the script prints as JSON objects are its events.
/// </summary>
public sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly BlockingCollection<JsonElement> _events = [];

    private NodeScript(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Folder { get; } = FindFolder();

    public string Output => string.Join('\n', _output);

    public static NodeScript Start(string script, params string[] args)
    {
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules")), $"run `npm install` in {Folder} (tests/run.sh does)");
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new NodeScript(Process.Start(start)!);
    }

    /// <summary>
    /// The next event named <paramref name="name"/> (skipping others), or a failure with the script's output. The end
    /// of stdout (not the process's exit) ends the wait: a script that prints and exits at once has its last lines
    /// delivered by the asynchronous reader after <see cref="Process.HasExited"/> is already true.
    /// </summary>
    public JsonElement WaitFor(string name, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        // Generous: node and the SDK start in ~1 s on an idle machine but took over 20 s (printing nothing) at load 50.
        var limit = within ?? Patience.Of(20);
        while (deadline.Elapsed < limit)
        {
            if (_events.TryTake(out var e, TimeSpan.FromMilliseconds(100)) && e.GetProperty("event").GetString() == name)
            {
                return e;
            }

            if (_events.IsCompleted)
            {
                break;
            }
        }

        if (_process.HasExited)
        {
            _process.WaitForExit(); // also drains stderr, so the failure shows all of it
        }

        Assert.Fail($"node never printed event '{name}'. Output:\n{Output}");
        return default;
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _events.CompleteAdding(); // stdout ended: every event has been delivered
            return;
        }

        _output.Enqueue(line);
        if (line.StartsWith("{\"event\"", StringComparison.Ordinal))
        {
            _events.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "ScaleControl.Sandbox.Tests", "node");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/ScaleControl.Sandbox.Tests/node not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _events.Dispose();
    }
}
