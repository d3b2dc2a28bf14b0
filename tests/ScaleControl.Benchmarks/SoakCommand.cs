using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ScaleControl.Benchmarks;

/// <summary>
/// <c>-- soak [--minutes 30] [--policies 0] [--restarts 0] [--server &lt;dir&gt;] [--seed 1]</c>: the product in sandbox mode (one process, loopback only)
/// for a bounded time under random hot events, card taps (approve, reject), API approvals and injected faults
/// (Kubernetes 500/429 on scale writes, DingTalk card updates failing). Every 30 s it samples the process — RSS,
/// threads, file descriptors and sockets — and the proposals by phase. At the end: memory trend, every proposal
/// terminal or still legitimately open, every scale write accounted for by an applied proposal, and how many distinct
/// policies were evaluated how often (<c>/metrics</c>, summed over restarts). On demand, not in CI.
/// <c>--policies N</c> adds N Deployments with an Auto policy each (5 s interval, on the sandbox's traffic);
/// <c>--restarts N</c> kills the process (SIGKILL) N times, evenly spread, and starts it again on its kept state.
/// </summary>
internal static partial class SoakCommand
{
    private const string Viewer = "sandbox-viewer";
    private static readonly string[] s_approvers = ["zhangsan", "lisi"];

    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = BenchmarkArgs.Option(args, "--minutes", 30);
        var random = new Random(BenchmarkArgs.Option(args, "--seed", 1));
        var serverDirectory = BenchmarkArgs.StringOption(args, "--server") ?? BenchmarkArgs.DefaultServerDirectory();
        if (!OperatingSystem.IsLinux() || serverDirectory is null || !File.Exists(Path.Combine(serverDirectory, "ScaleControl.Server.dll")))
        {
            Console.Error.WriteLine($"soak needs Linux (/proc) and ScaleControl.Server.dll in {serverDirectory}: run `dotnet build -c Release src/ScaleControl.Server` first (or pass --server <dir>).");
            return 2;
        }

        var policies = BenchmarkArgs.Option(args, "--policies", 0);
        var restarts = BenchmarkArgs.Option(args, "--restarts", 0);
        var server = await SoakServer.StartAsync(serverDirectory, null);
        var services = await server.ServicesAsync();
        if (policies > 0)
        {
            await server.AddPoliciesAsync(policies, services);
        }

        Console.WriteLine($"soak: {minutes} min against {server.BaseUrl} (pid {server.Pid}), seed {BenchmarkArgs.Option(args, "--seed", 1)}, {policies} extra policies, {restarts} restarts; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| t (s) | RSS MiB | threads | fds | sockets | proposals by phase | scale writes | taps | API approvals | faults |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");

        var stopwatch = Stopwatch.StartNew();
        var end = TimeSpan.FromMinutes(minutes);
        var counts = new Counts();
        var evaluations = new EvaluationTally();
        var samples = new List<(double Seconds, double RssMib)>();
        var nextSample = TimeSpan.Zero;
        var nextHot = TimeSpan.FromSeconds(5);
        var nextFault = TimeSpan.FromSeconds(60);
        var restartEvery = restarts > 0 ? end / (restarts + 1) : TimeSpan.MaxValue;
        var nextRestart = restartEvery;
        while (stopwatch.Elapsed < end)
        {
            var now = stopwatch.Elapsed;
            if (now >= nextRestart)
            {
                counts.ScaleWrites += await server.DrainScaleWritesAsync();
                evaluations.Add(await server.EvaluationsAsync());
                server = await server.KillAndRestartAsync(serverDirectory);
                counts.Restarts++;
                Console.WriteLine($"| {now.TotalSeconds:0} | restarted after SIGKILL: pid {server.Pid} | | | | | | | | |");
                nextRestart = now + restartEvery;
            }

            if (now >= nextHot)
            {
                var (ns, workload) = services[random.Next(services.Count)];
                await server.Post("/sandbox/traffic/hot-events", new { @namespace = ns, workload, multiplier = 2 + (random.NextDouble() * 3), rampSeconds = 5, holdSeconds = 60 + random.Next(120), decaySeconds = 30 });
                nextHot = now + TimeSpan.FromSeconds(15 + random.Next(30));
            }

            if (now >= nextFault)
            {
                counts.Faults += await server.InjectRandomFaultAsync(random);
                nextFault = now + TimeSpan.FromSeconds(45 + random.Next(45));
            }

            await server.ActOnPendingAsync(random, counts);
            counts.ScaleWrites += await server.DrainScaleWritesAsync();
            if (now >= nextSample)
            {
                var sample = ProcessSample.Of(server.Pid);
                var phases = await server.PhasesAsync();
                samples.Add((now.TotalSeconds, sample.RssMib));
                Console.WriteLine($"| {now.TotalSeconds:0} | {sample.RssMib:0.0} | {sample.Threads} | {sample.Fds} | {sample.Sockets} | {Phases(phases)} | {counts.ScaleWrites} | {counts.Taps} | {counts.ApiApprovals} | {counts.Faults} | load {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |");
                nextSample = now + TimeSpan.FromSeconds(30);
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        // Let open applies finish, then account for everything.
        await server.ClearFaultsAsync();
        await Task.Delay(TimeSpan.FromSeconds(10));
        counts.ScaleWrites += await server.DrainScaleWritesAsync();
        evaluations.Add(await server.EvaluationsAsync());
        var proposals = await server.ProposalsAsync();
        var stuck = proposals.Where(p => p.Phase is "Approved" or "Applying").ToList();
        var applied = proposals.Count(p => p.Phase == "Applied");
        var final = ProcessSample.Of(server.Pid);
        var firstHalf = samples.Where(s => s.Seconds <= end.TotalSeconds / 2).Select(s => s.RssMib).DefaultIfEmpty(double.NaN);
        var secondHalf = samples.Where(s => s.Seconds > end.TotalSeconds / 2).Select(s => s.RssMib).DefaultIfEmpty(double.NaN);
        Console.WriteLine();
        Console.WriteLine($"RSS: first half max {firstHalf.Max():0.0} MiB, second half max {secondHalf.Max():0.0} MiB, end {final.RssMib:0.0} MiB; threads {final.Threads}, fds {final.Fds}, sockets {final.Sockets}");
        Console.WriteLine($"Proposals: {proposals.Count} ({Phases(proposals.GroupBy(p => p.Phase).ToDictionary(g => g.Key, g => g.Count()))}); stuck in Approved/Applying: {stuck.Count}");
        Console.WriteLine($"Scale writes seen by the cluster (scale subresources, HPA floors): {counts.ScaleWrites}; applied proposals: {applied} (at most one write each; none when the workload already ran the count)");
        Console.WriteLine(evaluations.Summary(policies, stopwatch.Elapsed));
        Console.WriteLine($"Taps {counts.Taps} (timeouts {counts.TapTimeouts}), API approvals {counts.ApiApprovals} (5xx {counts.ApiServerErrors}), faults injected {counts.Faults}, restarts {counts.Restarts}");
        var healthy = stuck.Count == 0 && counts.ApiServerErrors == 0 && counts.ScaleWrites <= applied + stuck.Count;
        Console.WriteLine(healthy ? "soak: OK" : "soak: PROBLEMS (see above)");
        server.Dispose();
        return healthy ? 0 : 1;
    }

    private static string Phases(IReadOnlyDictionary<string, int> phases) =>
        string.Join(", ", phases.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));

    internal sealed class Counts
    {
        public int ScaleWrites { get; set; }
        public int Taps { get; set; }
        public int TapTimeouts { get; set; }
        public int ApiApprovals { get; set; }
        public int ApiServerErrors { get; set; }
        public int Faults { get; set; }
        public int Restarts { get; set; }
    }

    internal sealed record ProposalView(string Namespace, string Name, string Phase, string Message);

    /// <summary>RSS, threads, open file descriptors and sockets of a process, from /proc.</summary>
    private sealed record ProcessSample(double RssMib, int Threads, int Fds, int Sockets)
    {
        public static ProcessSample Of(int pid)
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            double Kib(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            var fds = Directory.GetFiles($"/proc/{pid}/fd");
            var sockets = fds.Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
            return new ProcessSample(Kib("VmRSS") / 1024, (int)Kib("Threads"), fds.Length, sockets);
        }
    }

    /// <summary>The server in sandbox mode as its own process, on loopback, with fast intervals.</summary>
    private sealed partial class SoakServer : IDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http;
        private readonly string _directory;

        private SoakServer(Process process, Uri baseUrl, string directory)
        {
            _process = process;
            _directory = directory;
            BaseUrl = baseUrl;
            // The sandbox's Kubernetes API serves https with the certificate its kubeconfig carries (SandboxApiTrust).
            _http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = SandboxApiTrust.Validate })
            {
                BaseAddress = baseUrl,
                Timeout = TimeSpan.FromSeconds(30),
            };
        }

        public Uri BaseUrl { get; }

        public int Pid => _process.Id;

        /// <param name="directory">The working directory to start in (its sandbox state is kept across a restart), or null for a new one.</param>
        public static async Task<SoakServer> StartAsync(string serverDirectory, string? directory)
        {
            directory ??= Directory.CreateTempSubdirectory("scalecontrol-soak-").FullName;
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(serverDirectory, "ScaleControl.Server.dll"));
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            start.Environment["ScaleControl__Loop__TickSeconds"] = "1";
            start.Environment["ScaleControl__Sandbox__EvaluationIntervalSeconds"] = "2";
            start.Environment["ScaleControl__Sandbox__RateWindow"] = "10s";
            start.Environment["ScaleControl__Sandbox__PodStartupSeconds"] = "2";
            start.Environment["ScaleControl__Sandbox__ApprovalExpirySeconds"] = "120";
            start.Environment["ScaleControl__DingTalk__MaxRetryAttempts"] = "0";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(start)!;
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null && ListeningLine().Match(e.Data) is { Success: true } m)
                {
                    listening.TrySetResult(new Uri(m.Groups[1].Value));
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new SoakServer(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(60)), directory);
            for (var i = 0; i < 120 && !(await server._http.GetAsync("/readyz")).IsSuccessStatusCode; i++)
            {
                await Task.Delay(500);
            }

            return server;
        }

        /// <summary>kill -9, then the same server on the same working directory (the sandbox's cluster state is durable).</summary>
        public async Task<SoakServer> KillAndRestartAsync(string serverDirectory)
        {
            _http.Dispose();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            return await StartAsync(serverDirectory, _directory);
        }

        /// <summary>N bench Deployments (1 replica) in the sandbox's cluster, and an Auto policy on each reading one of the sandbox's services.</summary>
        public async Task AddPoliciesAsync(int count, List<(string Namespace, string Workload)> services)
        {
            var (apiServer, token) = FootprintBenchmark.ReadKubeconfig(Path.Combine(_directory, ".scalecontrol", "sandbox", "kubeconfig"));
            await FootprintBenchmark.CreateNamespaceAsync(_http, apiServer, token, CancellationToken.None); // a cluster creates none on its own
            await FootprintBenchmark.CreateDeploymentsAsync(_http, apiServer, token, count, _ => 1, CancellationToken.None);
            var (failures, first) = await FootprintBenchmark.PutPoliciesAsync(_http, BaseUrl, "sandbox-admin", count,
                i => $$"""sum(rate(http_requests_total{service="{{services[i % services.Count].Workload}}"}[1m]))""", CancellationToken.None);
            Console.WriteLine($"soak: {count} policies added ({failures} failed{(first is null ? "" : ": " + first)})");
        }

        public async Task<List<(string Namespace, string Workload)>> ServicesAsync()
        {
            var services = await _http.GetFromJsonAsync<JsonElement>("/sandbox/traffic/services");
            return [.. services.EnumerateArray().Select(s => (s.GetProperty("namespace").GetString()!, s.GetProperty("workload").GetString()!))];
        }

        public async Task Post(string path, object body)
        {
            using var response = await _http.PostAsJsonAsync(path, body);
        }

        /// <summary>Approves (card tap or API, by either approver) or rejects some of the pending proposals.</summary>
        public async Task ActOnPendingAsync(Random random, Counts counts)
        {
            foreach (var p in (await ProposalsAsync()).Where(p => p.Phase == "Pending" && random.NextDouble() < 0.3))
            {
                var user = s_approvers[random.Next(s_approvers.Length)];
                var roll = random.NextDouble();
                if (roll < 0.5)
                {
                    var action = roll < 0.1 ? "reject" : "approve";
                    using var response = await _http.PostAsJsonAsync($"/sandbox/dingtalk/cards/{p.Namespace}.{p.Name}/tap", new { userId = user, actionIds = new[] { action }, @params = new { action } });
                    counts.Taps++;
                    var text = await response.Content.ReadAsStringAsync();
                    counts.TapTimeouts += text.Contains("\"Timeout\"", StringComparison.Ordinal) ? 1 : 0;
                }
                else
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/proposals/{p.Namespace}/{p.Name}/approve") { Content = JsonContent.Create(new { }) };
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sandbox-zhangsan");
                    using var response = await _http.SendAsync(request);
                    counts.ApiApprovals++;
                    counts.ApiServerErrors += (int)response.StatusCode >= 500 ? 1 : 0;
                }
            }
        }

        /// <summary>One random fault: Kubernetes 500 or 429 on a few scale writes, or DingTalk card updates failing for a while.</summary>
        public async Task<int> InjectRandomFaultAsync(Random random)
        {
            await ClearFaultsAsync();
            switch (random.Next(3))
            {
                case 0:
                    await Post("/sandbox/k8s-control/faults", new { verb = "update", resource = "deployments/scale", statusCode = 500, times = 2 });
                    break;
                case 1:
                    await Post("/sandbox/k8s-control/faults", new { verb = "update", resource = "deployments/scale", statusCode = 429, times = 3 });
                    break;
                default:
                    await Post("/sandbox/dingtalk/faults", new { api = "/v1.0/card/instances", kind = "SystemBusy", times = 20 });
                    break;
            }

            return 1;
        }

        public async Task ClearFaultsAsync()
        {
            using var k8s = await _http.DeleteAsync("/sandbox/k8s-control/faults");
            using var dingTalk = await _http.DeleteAsync("/sandbox/dingtalk/faults");
        }

        /// <summary>Successful scale writes since the last call — scale subresources and HPA floors (the journal is cleared after reading).</summary>
        public async Task<int> DrainScaleWritesAsync()
        {
            var writes = await _http.GetFromJsonAsync<JsonElement>("/sandbox/k8s-control/journal?verb=update,patch");
            using var cleared = await _http.DeleteAsync("/sandbox/k8s-control/journal");
            return writes.EnumerateArray().Count(w => w.GetProperty("resource").GetString() is { } resource
                && (resource.EndsWith("/scale", StringComparison.Ordinal) || resource == "horizontalpodautoscalers")
                && w.GetProperty("statusCode").GetInt32() < 300);
        }

        public async Task<List<ProposalView>> ProposalsAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/proposals");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Viewer);
            using var response = await _http.SendAsync(request);
            var list = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. list.EnumerateArray().Select(p => new ProposalView(
                p.GetProperty("metadata").GetProperty("namespace").GetString()!,
                p.GetProperty("metadata").GetProperty("name").GetString()!,
                p.GetProperty("status").GetProperty("phase").GetString()!,
                p.GetProperty("status").TryGetProperty("message", out var m) ? m.GetString() ?? "" : ""))];
        }

        public async Task<Dictionary<string, int>> PhasesAsync() =>
            (await ProposalsAsync()).GroupBy(p => p.Phase).ToDictionary(g => g.Key, g => g.Count());

        public void Dispose()
        {
            _http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        [GeneratedRegex(@"Now listening on: (http://\S+)")]
        private static partial Regex ListeningLine();
    }
}
