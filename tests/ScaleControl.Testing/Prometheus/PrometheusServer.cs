using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ScaleControl.Testing.Timing;

namespace ScaleControl.Testing.Prometheus;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1 with a free port and a temporary data dir,
/// optionally pre-loaded with an OpenMetrics backfill through <c>promtool tsdb create-blocks-from openmetrics</c>.
/// Killed and deleted on dispose. Shared by the test projects and the benchmark.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private const string PrometheusBinary = "/usr/bin/prometheus";
    private const string PromtoolBinary = "/usr/bin/promtool";

    private readonly Process _process;
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, Uri url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Starts Prometheus with the given scrape configs (YAML list items, already indented) and optional backfill.</summary>
    public static async Task<PrometheusServer> StartAsync(string scrapeConfigs = "", string? openMetricsBackfill = null, string globalScrapeInterval = "1s")
    {
        var directory = Directory.CreateTempSubdirectory("scalecontrol-prometheus-").FullName;
        var dataDirectory = Path.Combine(directory, "data");
        Directory.CreateDirectory(dataDirectory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: {globalScrapeInterval}
              evaluation_interval: {globalScrapeInterval}
            {(scrapeConfigs.Length == 0 ? "scrape_configs: []" : "scrape_configs:\n" + scrapeConfigs)}
            """);

        if (openMetricsBackfill is not null)
        {
            var file = Path.Combine(directory, "backfill.om");
            await File.WriteAllTextAsync(file, openMetricsBackfill);
            await RunToCompletionAsync(PromtoolBinary, ["tsdb", "create-blocks-from", "openmetrics", file, dataDirectory]);
        }

        // The free port can be taken between probe and bind by a parallel test; then start again on another.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var process = Process.Start(new ProcessStartInfo(PrometheusBinary)
            {
                ArgumentList =
                {
                    $"--config.file={config}", $"--storage.tsdb.path={dataDirectory}",
                    $"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=100y", "--log.level=warn",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var url = new Uri($"http://127.0.0.1:{port}/");
            if (await WaitReadyAsync(process, url))
                return new PrometheusServer(process, directory, url);

            Kill(process);
            if (attempt == 3)
                throw new InvalidOperationException($"Prometheus did not become ready (exit code {(process.HasExited ? process.ExitCode : -1)})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by the dying process; the temp dir is cleaned by the OS eventually
        }
    }

    public static int FreePort() => Net.FreePort.Pick();

    private static async Task<bool> WaitReadyAsync(Process process, Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Patience.Of(20))
        {
            if (process.HasExited)
                return false;
            try
            {
                using var response = await http.GetAsync(new Uri(url, "-/ready"));
                if (response.IsSuccessStatusCode)
                    return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or too busy starting (or the machine too starved) to answer within the client's timeout
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static async Task RunToCompletionAsync(string binary, string[] arguments)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{binary} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }
}
