using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ScaleControl.Cli.Tests.EndToEnd;

/// <summary>
/// A real Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1 with a free port, its data dir backfilled by
/// <c>promtool tsdb create-blocks-from openmetrics</c> with <see cref="HotEventCurve"/> over the last hour.
/// </summary>
public sealed class BackfilledPrometheus : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private BackfilledPrometheus(Process process, string directory, string url)
    {
        _process = process;
        _directory = directory;
        Url = url;
    }

    public string Url { get; }

    public static async Task<BackfilledPrometheus> StartAsync(string openMetrics)
    {
        var directory = Directory.CreateTempSubdirectory("scalectl-prometheus-").FullName;
        var data = Path.Combine(directory, "data");
        Directory.CreateDirectory(data);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, "global: {scrape_interval: 15s}\nscrape_configs: []\n");
        var backfill = Path.Combine(directory, "backfill.om");
        await File.WriteAllTextAsync(backfill, openMetrics);
        await RunAsync("/usr/bin/promtool", "tsdb", "create-blocks-from", "openmetrics", backfill, data);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var start = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { $"--config.file={config}", $"--storage.tsdb.path={data}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var url = $"http://127.0.0.1:{port}";
            if (await WaitReadyAsync(process, url))
            {
                return new BackfilledPrometheus(process, directory, url);
            }

            process.Kill(entireProcessTree: true);
            if (attempt == 3)
            {
                throw new InvalidOperationException("Prometheus did not become ready");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by the exiting process; it is a temp dir
        }
    }

    private static async Task<bool> WaitReadyAsync(Process process, string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync($"{url}/-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(25);
        }

        return false;
    }

    private static async Task RunAsync(string binary, params string[] args)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{binary} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A hot event on clitest/orders over the hour before <c>now</c>, sampled every 10 s: 100 QPS, a 5-minute ramp to
/// 500 QPS from minute 20, a 15-minute hold, a 10-minute decay back to 100.
/// </summary>
public static class HotEventCurve
{
    public const string Series = """http_requests_total{namespace="clitest",workload="orders"}""";
    public const double PeakQps = 500;
    public const double BaseQps = 100;

    public static double Qps(int second) => second switch
    {
        < 1200 => BaseQps,
        < 1500 => BaseQps + (PeakQps - BaseQps) * (second - 1200) / 300,
        < 2400 => PeakQps,
        < 3000 => PeakQps - (PeakQps - BaseQps) * (second - 2400) / 600,
        _ => BaseQps,
    };

    /// <summary>The counter as OpenMetrics, ending a minute before <paramref name="now"/> (the backfill must not reach the head block).</summary>
    public static string ToOpenMetrics(DateTimeOffset now)
    {
        var start = now.ToUnixTimeSeconds() - 3600;
        var text = new StringBuilder("# HELP http_requests Requests received.\n# TYPE http_requests counter\n");
        var total = 0.0;
        for (var t = 0; t <= 3540; t += 10)
        {
            if (t > 0)
            {
                total += (Qps(t - 10) + Qps(t)) / 2 * 10;
            }

            text.Append(CultureInfo.InvariantCulture, $"{Series} {total:R} {start + t}\n");
        }

        return text.Append("# EOF\n").ToString();
    }
}
