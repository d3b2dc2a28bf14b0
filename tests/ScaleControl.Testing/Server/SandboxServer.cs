using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Testing.Server;

/// <summary>
/// The real server, as a user runs it: <c>dotnet ScaleControl.Server.dll --urls http://127.0.0.1:0</c> in sandbox mode
/// (no cluster configured), in its own working directory, with fast intervals. Talks to it over HTTP only.
/// The test project must reference ScaleControl.Server, so that the server's dll sits next to the tests.
/// </summary>
public sealed partial class SandboxServer : IAsyncDisposable
{
    /// <summary>The sandbox's demo tokens (admin, the operator zhangsan, a viewer).</summary>
    public const string AdminToken = "sandbox-admin";
    public const string OperatorToken = "sandbox-zhangsan";
    public const string ViewerToken = "sandbox-viewer";

    private readonly Process _process;
    private readonly List<string> _output = [];
    private Kubectl? _kubectl;
    private bool _disposed;

    private SandboxServer(Process process, string workingDirectory)
    {
        _process = process;
        WorkingDirectory = workingDirectory;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public string WorkingDirectory { get; }
    public string Kubeconfig => Path.Combine(WorkingDirectory, ".scalecontrol", "sandbox", "kubeconfig");

    /// <summary>The sandbox cluster's API server (its own listener), as the kubeconfig the server wrote names it.</summary>
    public Uri KubernetesApi => new(ServerLine().Match(File.ReadAllText(Kubeconfig)).Groups[1].Value.TrimEnd('/') + "/");

    /// <summary>Real kubectl against the sandbox cluster this server runs.</summary>
    public Kubectl Kubectl => _kubectl ??= new Kubectl(Kubeconfig);
    public HttpClient Http { get; private set; } = null!;
    public string Output { get { lock (_output) { return string.Join('\n', _output); } } }

    /// <summary>
    /// More to show when a wait on this server times out, e.g. the output of other processes that share it and the
    /// requests its cluster served: what a failure in CI is understood from.
    /// </summary>
    public Func<Task<string>>? Diagnostics { get; set; }

    /// <summary>
    /// Starts the server; <paramref name="settings"/> are environment variables (e.g. <c>ScaleControl__Sandbox__RateWindow</c>).
    /// In a new temporary working directory, or in <paramref name="workingDirectory"/> (a restart on kept state).
    /// </summary>
    public static async Task<SandboxServer> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null, IReadOnlyList<string>? arguments = null)
    {
        if (workingDirectory is not null)
        {
            // A restart on kept state: a failed start disposes (deletes) the directory, so there is nothing to retry in.
            return await StartOnceAsync(settings, workingDirectory, arguments);
        }

        // On port 0 the server probes for free ports before it binds them; a parallel test (or another process on
        // the machine) can take one in between, and the server exits "address already in use": start it again, in
        // a fresh directory.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(settings, Directory.CreateTempSubdirectory("scalecontrol-e2e-").FullName, arguments);
            }
            catch (InvalidOperationException ex) when (attempt < 3 && ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private static async Task<SandboxServer> StartOnceAsync(IReadOnlyDictionary<string, string>? settings, string directory, IReadOnlyList<string>? arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ScaleControl.Server.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        var env = new Dictionary<string, string>
        {
            ["ScaleControl__Loop__StartupDelaySeconds"] = "0.5",
            ["ScaleControl__Loop__TickSeconds"] = "0.5",
            ["ScaleControl__Sandbox__FlatTraffic"] = "true",
            ["ScaleControl__Sandbox__EvaluationIntervalSeconds"] = "1",
            ["ScaleControl__Sandbox__PodStartupSeconds"] = "1",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        var server = new SandboxServer(Process.Start(start)!, directory);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (server._output)
            {
                server._output.Add(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }
        }

        server._process.OutputDataReceived += OnLine;
        server._process.ErrorDataReceived += OnLine;
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        server._process.EnableRaisingEvents = true;
        server._process.Exited += (_, _) =>
        {
            server._process.WaitForExit(); // the output read to its end: the reason it exited is in it
            listening.TrySetException(new InvalidOperationException($"the server exited:\n{server.Output}"));
        };

        var pid = server._process.Id;
        try
        {
            try
            {
                server.BaseUrl = await listening.Task.WaitAsync(Patience.Of(60));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the server (pid {pid}) did not listen within {Patience.Of(60).TotalSeconds:0} s\n--- server output ---\n{server.OutputTail()}");
            }

            server.Http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = Patience.Of(30) };
            await server.Eventually(async () => (await server.Http.GetAsync("/readyz")).IsSuccessStatusCode, $"the server (pid {pid}) becomes ready");
            return server;
        }
        catch
        {
            // Not left running behind the test: a server that never listened or became ready is stopped.
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Whether the process has ended (e.g. killed at a crash point, or stopped by the test); its output stays readable.</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>Waits until the process ends by itself (a crash point kills it).</summary>
    public async Task WaitForExitAsync(TimeSpan limit) => await _process.WaitForExitAsync().WaitAsync(limit);

    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = Patience.Of(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<JsonElement> GetJson(string path, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> PostJson(string path, object body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new HttpRequestException($"POST {path} -> {(int)response.StatusCode}: {text}", null, response.StatusCode);
    }

    public Task HotEventAsync(string ns, string workload, double multiplier) =>
        PostJson("/sandbox/traffic/hot-events", new { @namespace = ns, workload, multiplier, rampSeconds = 2, holdSeconds = 900, decaySeconds = 60 });

    /// <summary>
    /// Polls until <paramref name="probe"/> answers (the loop runs on real time here). <paramref name="seconds"/> is
    /// what an idle machine needs with margin; the deadline is that times <see cref="Patience.Factor"/>. A probe that
    /// fails the way a busy machine makes it fail (a request timing out or refused, kubectl failing) is asked again.
    /// </summary>
    public async Task<T> Eventually<T>(Func<Task<T?>> probe, string what, int seconds = 45)
    {
        var limit = Patience.Of(seconds);
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < limit)
        {
            try
            {
                if (await probe() is { } value && (value is not bool b || b))
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or KeyNotFoundException
                or TaskCanceledException or KubectlFailedException)
            {
                last = ex;
            }

            await Task.Delay(250);
        }

        var more = "";
        if (Diagnostics is { } diagnostics)
        {
            try
            {
                more = "\n" + await diagnostics();
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException or TaskCanceledException or KubectlFailedException)
            {
                more = $"\n(diagnostics failed: {ex.Message})";
            }
        }

        var failure = last is null ? "" : $" (last probe failed: {last.GetType().Name}: {last.Message})";
        throw new TimeoutException($"timed out after {clock.Elapsed.TotalSeconds:0} s waiting until {what}{failure}\n--- server output ---\n{OutputTail()}{more}");
    }

    public async Task<JsonElement> EventuallyJson(Func<Task<JsonElement?>> probe, string what, int seconds = 45) =>
        (JsonElement)await Eventually<object>(async () => await probe() is { } found ? found : null, what, seconds);

    public Task Eventually(Func<Task<bool>> probe, string what, int seconds = 45) =>
        Eventually<object>(async () => await probe() ? true : null, what, seconds);

    /// <summary>SIGSTOP: the process stops where it is (as in a long GC pause or on a starved node); its lease runs out.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>SIGCONT: the paused process goes on from where it stopped, unaware of the time it lost.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {_process.Id} failed with {kill.ExitCode}");
        }
    }

    /// <summary>SIGTERM (what Ctrl+C and <c>kubectl delete pod</c> send): a graceful stop; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan limit)
    {
        Http?.Dispose();
        await SignalAsync("-TERM");
        await _process.WaitForExitAsync().WaitAsync(limit);
        return _process.ExitCode;
    }

    /// <summary>kill -9: the process ends at once, nothing flushed or cleaned up; the working directory stays.</summary>
    public async Task KillAsync()
    {
        Http?.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _kubectl?.Dispose();
        Http?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// The last lines of the output for a failure message, each cut to 400 characters, without the HTTP retry
    /// library's lines (a stack trace each, for a dependency a test leaves unreachable on purpose).
    /// </summary>
    public string OutputTail(int lines = 60)
    {
        string[] all;
        lock (_output)
        {
            all = [.. _output];
        }

        return string.Join('\n', all.Where(line => !line.Contains("Polly[", StringComparison.Ordinal))
            .Select(line => line.Length > 400 ? line[..400] + "…" : line).TakeLast(lines));
    }

    [GeneratedRegex(@"server: (https?://\S+)")]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
