using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Prometheus;

namespace ScaleControl.Benchmarks;

/// <summary>The footprint benchmark's world: traffic, Prometheus, the sandbox cluster, the product started in it.</summary>
internal static partial class FootprintBenchmark
{
    // ---- the world ----

    private static async Task<WebApplication> StartTrafficAsync(int services, bool flat, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSandboxTraffic(o =>
        {
            o.Warmup = TimeSpan.FromMinutes(2);
            o.History = TimeSpan.FromMinutes(10);
            o.Services = [.. Enumerable.Range(0, services).Select(i => new SimulatedServiceOptions
            {
                Namespace = BenchNamespace, Workload = Service(i), PeakQps = 50 + i, PodCapacityQps = 50, Flat = flat,
            })];
        });
        var app = builder.Build();
        app.MapSandboxTraffic();
        await app.StartAsync(ct);
        return app;
    }

    /// <summary>The server in sandbox mode, as a separate process, for its Kubernetes API.</summary>
    private static Process StartSandbox(string dotnetRoot, string serverDirectory, string workingDirectory, Uri url, OutputTail output)
    {
        var start = new ProcessStartInfo(Path.Combine(dotnetRoot, "dotnet"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(serverDirectory, "ScaleControl.Server.dll"));
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ScaleControl__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("SCALECONTROL_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        start.Environment["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority);
        start.Environment["ScaleControl__Mode"] = "Sandbox";
        start.Environment["ScaleControl__Sandbox__Seed"] = "false"; // no demo policies: the product sees exactly the bench ones
        start.Environment["ScaleControl__Sandbox__KubernetesPort"] = "0"; // its own API listener on a free port (read from the kubeconfig)

        // The sandbox process also runs the product, always leading its own cluster (leader election off in sandbox
        // mode): it would evaluate and scale the bench policies too. An explicit Kubernetes Host wins over the sandbox's
        // own API (AdapterWiring), so point its adapters at a closed port: it never syncs, never leads, never evaluates.
        start.Environment["ScaleControl__Kubernetes__Host"] = $"http://127.0.0.1:{PrometheusServer.FreePort()}/";
        start.Environment["Logging__LogLevel__Default"] = "Error";
        var process = Process.Start(start) ?? throw new BenchmarkFailure("could not start the sandbox server");
        output.Attach(process);
        return process;
    }

    internal static (string Server, string Token) ReadKubeconfig(string path)
    {
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(path) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            Thread.Sleep(50);
        var lines = File.Exists(path) ? File.ReadAllLines(path).Select(l => l.Trim()).ToArray() : throw new BenchmarkFailure($"the sandbox wrote no kubeconfig at {path}");
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..].Trim()
            ?? throw new BenchmarkFailure($"no '{name}:' in {path}");
        SandboxApiTrust.Trust(Field("certificate-authority-data"));
        return (Field("server").TrimEnd('/'), Field("token"));
    }

    internal static async Task CreateNamespaceAsync(HttpClient http, string apiServer, string token, CancellationToken ct)
    {
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = BenchNamespace } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiServer}/api/v1/namespaces") { Content = Json(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.Conflict)
            throw new BenchmarkFailure($"namespace {BenchNamespace} not created: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }

    internal static async Task<int> CreateDeploymentsAsync(HttpClient http, string apiServer, string token, int count, Func<int, int> replicas, CancellationToken ct)
    {
        var created = 0;
        string? firstFailure = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token2) =>
        {
            var name = App(i);
            var labels = new JsonObject { ["app"] = name };
            var body = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "Deployment",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = BenchNamespace, ["labels"] = labels.DeepClone() },
                ["spec"] = new JsonObject
                {
                    ["replicas"] = replicas(i),
                    ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() },
                    ["template"] = new JsonObject
                    {
                        ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "bench/app:1" }) },
                    },
                },
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{apiServer}/apis/apps/v1/namespaces/{BenchNamespace}/deployments") { Content = Json(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, token2);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict)
                Interlocked.Increment(ref created);
            else
                Interlocked.CompareExchange(ref firstFailure, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token2)}", null);
        });
        if (created < count)
            throw new BenchmarkFailure($"only {created} of {count} Deployments were created; first failure: {firstFailure}");
        return created;
    }

    private static async Task<string?> LeaseHolderAsync(HttpClient http, string apiServer, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{apiServer}/apis/coordination.k8s.io/v1/namespaces/scalecontrol-system/leases/scalecontrol-leader");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.TryGetProperty("spec", out var spec) && spec.TryGetProperty("holderIdentity", out var holder) ? holder.GetString() : null;
    }

    /// <summary>Waits (up to 60 s) until Prometheus has two scrapes of every bench service, so rate() answers; returns how many it has.</summary>
    private static async Task<int> WaitForRatesAsync(HttpClient http, Uri prometheus, int services, CancellationToken ct)
    {
        var query = Uri.EscapeDataString($$"""count(rate(http_requests_total{namespace="{{BenchNamespace}}"}[1m]))""");
        var deadline = Stopwatch.StartNew();
        var count = 0;
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(prometheus, $"api/v1/query?query={query}"), ct));
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            count = result.GetArrayLength() == 0 ? 0 : (int)double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
            if (count >= services)
                break;
            await Task.Delay(1000, ct);
        }

        return count;
    }

    /// <summary>The sandbox process's own control plane must not lead (it would evaluate the bench policies too).</summary>
    private static async Task<bool?> SandboxLeadingAsync(HttpClient http, Uri sandboxUrl, CancellationToken ct)
    {
        try
        {
            var value = Value(await http.GetStringAsync(new Uri(sandboxUrl, "metrics"), ct), "scalecontrol_leader");
            return double.IsNaN(value) ? null : value > 0;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    // ---- the product ----

    private static Process StartProduct(
        ProductCopy copy, MemoryCgroup? cgroup, string workingDirectory, Uri url, string kubeconfig, Uri prometheus, string adminToken,
        IReadOnlyList<string> extra, OutputTail output)
    {
        var dotnet = Path.Combine(copy.RuntimeDirectory, "dotnet");
        var dll = Path.Combine(copy.AppDirectory, "ScaleControl.Server.dll");
        ProcessStartInfo start;
        if (cgroup is null)
        {
            start = new ProcessStartInfo(dotnet);
            start.ArgumentList.Add(dll);
        }
        else
        {
            // The shell moves itself into the cgroup, then execs the runtime: same pid, in the cgroup from its first instruction.
            start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"echo $$ > '{cgroup.ProcsFile}' && exec \"$0\" \"$@\"");
            start.ArgumentList.Add(dotnet);
            start.ArgumentList.Add(dll);
        }

        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // A container's environment, not this one's (which `dotnet run` fills with SDK and MSBuild variables).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["HOME"] = workingDirectory;
        start.Environment["DOTNET_ROOT"] = copy.RuntimeDirectory;
        start.Environment["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        if (copy.IcuDirectory is not null)
            start.Environment["LD_LIBRARY_PATH"] = copy.IcuDirectory;
        foreach (var (name, value) in ImageEnvironment.Runtime())
            start.Environment[name] = value; // the runtime's settings as the image sets them (src/ScaleControl.Server/Dockerfile)
        start.Environment["ASPNETCORE_URLS"] = url.GetLeftPart(UriPartial.Authority);
        start.Environment["ScaleControl__Mode"] = "Cluster";
        start.Environment["ScaleControl__Kubernetes__KubeconfigPath"] = kubeconfig;
        start.Environment["ScaleControl__Kubernetes__LeaderElection__Identity"] = LeaderIdentity; // election stays on, as in a cluster
        start.Environment["ScaleControl__Prometheus__Url"] = prometheus.ToString();
        start.Environment["ScaleControl__DingTalk__Enabled"] = "false";
        start.Environment["ScaleControl__Approvals__SigningKey"] = "footprint-benchmark-signing-key-0123456789";
        start.Environment["SCALECONTROL_ADMIN_TOKEN"] = adminToken;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var variable in extra)
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                throw new BenchmarkFailure($"--env {variable}: expected NAME=VALUE");
            start.Environment[variable[..equals]] = variable[(equals + 1)..];
        }

        var process = Process.Start(start) ?? throw new BenchmarkFailure("could not start the product");
        output.Attach(process);
        return process;
    }

    private static async Task WaitForLeaderAsync(HttpClient http, Uri productUrl, World world, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (world.Product!.HasExited)
                throw new BenchmarkFailure($"the product exited ({ExitCode(world.Product)}) before leading:\n{world.ProductOutput.Text()}");
            if (Value(await http.GetStringAsync(new Uri(productUrl, "metrics"), ct), "scalecontrol_leader") == 1)
                return;
            await Task.Delay(250, ct);
        }

        throw new BenchmarkFailure($"the product did not become leader within 60 s (it must win the Lease scalecontrol-system/scalecontrol-leader alone):\n{world.ProductOutput.Text()}");
    }

    /// <summary>PUTs <paramref name="count"/> Auto policies app-0000… (one per bench Deployment) reading <paramref name="query"/>(i).</summary>
    internal static async Task<(int Failures, string? First)> PutPoliciesAsync(HttpClient http, Uri productUrl, string adminToken, int count, Func<int, string> query, CancellationToken ct)
    {
        var failures = 0;
        string? first = null;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var name = App(i);
            var body = new JsonObject
            {
                ["apiVersion"] = "scalecontrol.io/v1alpha1",
                ["kind"] = "ScalePolicy",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = BenchNamespace },
                ["spec"] = new JsonObject
                {
                    ["target"] = new JsonObject { ["kind"] = "Deployment", ["name"] = name },
                    ["metrics"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "qps",
                        ["query"] = query(i),
                        ["targetType"] = "PerReplica",
                        ["target"] = TargetPerReplica,
                    }),
                    ["minReplicas"] = 1,
                    ["maxReplicas"] = MaxReplicas,
                    ["mode"] = "Auto",
                    ["evaluationIntervalSeconds"] = IntervalSeconds,
                },
            };
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(productUrl, $"api/v1/policies/{BenchNamespace}/{name}")) { Content = Json(body) };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
                using var response = await http.SendAsync(request, token);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref first, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}", null);
                }
            }
            catch (HttpRequestException ex)
            {
                Interlocked.Increment(ref failures);
                Interlocked.CompareExchange(ref first, $"{name}: {ex.Message}", null);
            }
        });
        return (failures, first);
    }

    /// <summary>GET /api/v1/status once, after the window: how many policies have been evaluated and read a value.</summary>
    private static async Task<StatusSummary> PolicyStatusAsync(HttpClient http, Uri productUrl, string adminToken, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var json = JsonDocument.Parse(await GetTextAsync(http, new Uri(productUrl, "api/v1/status"), adminToken, ct));
            var took = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var policies = json.RootElement.GetProperty("policies").EnumerateArray().ToList();
            var evaluated = policies.Count(p => p.TryGetProperty("lastEvaluation", out var at) && at.ValueKind != JsonValueKind.Null);
            var withValue = policies.Count(p => p.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Array
                && m.EnumerateArray().Any(x => x.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number));
            return new StatusSummary(evaluated, withValue, policies.Count, took, null);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new StatusSummary(0, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, $"no answer within {http.Timeout.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new StatusSummary(0, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, ex.Message);
        }
    }

    /// <summary>Everything started or created, torn down in reverse whatever happened.</summary>
    private sealed class World : IAsyncDisposable
    {
        public string? TempRoot { get; set; }
        public WebApplication? Traffic { get; set; }
        public Process? Sandbox { get; set; }
        public OutputTail SandboxOutput { get; } = new();
        public PrometheusServer? Prometheus { get; set; }
        public Process? Product { get; set; }
        public OutputTail ProductOutput { get; } = new();
        public MemoryCgroup? Cgroup { get; set; }

        public async ValueTask DisposeAsync()
        {
            await KillAsync(Product);
            Cgroup?.Remove(); // after the process is gone: a v1/v2 cgroup with tasks cannot be removed
            await KillAsync(Sandbox);
            if (Traffic is not null)
            {
                await Traffic.StopAsync();
                await Traffic.DisposeAsync();
            }

            if (Prometheus is not null)
                await Prometheus.DisposeAsync();
            if (TempRoot is not null)
            {
                try
                {
                    Directory.Delete(TempRoot, recursive: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"could not delete {TempRoot}: {ex.Message}");
                }
            }
        }

        private static async Task KillAsync(Process? process)
        {
            if (process is null)
                return;
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // already gone, or stuck: nothing more to do from here
            }

            process.Dispose();
        }
    }

    /// <summary>The last lines a child wrote (stdout and stderr), for failure messages.</summary>
    private sealed class OutputTail
    {
        private readonly Queue<string> _lines = new();

        public void Attach(Process process)
        {
            process.OutputDataReceived += (_, e) => Add(e.Data);
            process.ErrorDataReceived += (_, e) => Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Text()
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }

        private void Add(string? line)
        {
            if (line is null)
                return;
            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 40)
                    _lines.Dequeue();
            }
        }
    }
}
