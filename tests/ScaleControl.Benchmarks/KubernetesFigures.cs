using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.Core.Proposals;
using ScaleControl.Kubernetes;
using ScaleControl.Kubernetes.Caching;
using ScaleControl.Kubernetes.Resources;
using ScaleControl.Kubernetes.Workloads;
using ScaleControl.Sandbox.Kubernetes;

namespace ScaleControl.Benchmarks;

/// <summary>
/// Figures of the Kubernetes adapters over real HTTP on loopback against the sandbox API server:
/// apply latency, watch-cache freshness between two replicas, and sync time plus steady-state requests per
/// control-loop tick with 2,000 policies and workloads.
/// <c>dotnet run -c Release --project tests/ScaleControl.Benchmarks -- kubernetes [applies] [updates] [policies]</c>
/// </summary>
internal static class KubernetesFigures
{
    public static async Task<int> RunAsync(string[] args)
    {
        var applies = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var updates = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
        var policies = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2_000;

        Console.WriteLine($"# Kubernetes adapter figures ({Environment.ProcessorCount} cores, loopback, sandbox API in-process)");
        Console.WriteLine();
        await ApplyLatencyAsync(applies);
        await WatchFreshnessAsync(updates);
        await ScaleOutAsync(policies);
        return 0;
    }

    /// <summary>Decision (state from the watch cache) → scale write acknowledged, with the resourceVersion precondition.</summary>
    private static async Task ApplyLatencyAsync(int count)
    {
        await using var server = await StartSandboxAsync();
        server.Control.SeedDeployment("shop", "web", replicas: 2, readyReplicas: 2);
        await using var node = Node(server);
        var workloads = node.GetRequiredService<IWorkloadClient>();
        var target = new WorkloadRef("shop", "Deployment", "web");
        var state = (await workloads.GetAsync(target, CancellationToken.None))!;
        var resourceVersion = state.ResourceVersion;

        var samples = new List<double>(count);
        var conflicts = 0;
        for (var i = 0; i < count + 50; i++)
        {
            var clock = Stopwatch.StartNew();
            var decided = await workloads.GetAsync(target, CancellationToken.None);
            var result = await workloads.ScaleAsync(new ScaleRequest(target, 2 + (i % 2), resourceVersion, "benchmark", null), CancellationToken.None);
            clock.Stop();
            conflicts += result.Outcome == ScaleOutcome.Conflict ? 1 : 0;
            resourceVersion = result.ResourceVersion ?? decided!.ResourceVersion;
            if (i >= 50)
            {
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Print("Apply latency: decision → scale write acknowledged", count, samples, "ms", $"conflicts {conflicts}; goal p99 ≤ 20 ms");
    }

    /// <summary>A ScaleProposal status write on replica A until replica B's watch cache holds that version.</summary>
    private static async Task WatchFreshnessAsync(int count)
    {
        await using var server = await StartSandboxAsync();
        await using var writer = Node(server);
        await using var reader = Node(server);
        var writes = writer.GetRequiredService<IProposalStore>();
        var readerCache = reader.GetRequiredService<ResourceCache<ScaleProposal>>();
        await reader.GetRequiredService<IProposalStore>().ListAsync(null, CancellationToken.None);
        var proposal = await writes.CreateAsync(new ScaleProposal
        {
            Metadata = new ObjectMeta { Name = "web-freshness", Namespace = "shop" },
            Spec = new ScaleProposalSpec { PolicyName = "web", Target = new TargetRef { Name = "web" }, FromReplicas = 2, ToReplicas = 4 },
        }, CancellationToken.None);

        var samples = new List<double>(count);
        for (var i = 0; i < count + 50; i++)
        {
            var seen = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var expected = (string?)null;
            void OnChanged(k8s.WatchEventType _, ScaleProposal p)
            {
                if (p.Metadata.ResourceVersion == Volatile.Read(ref expected))
                {
                    seen.TrySetResult(Stopwatch.GetTimestamp());
                }
            }

            readerCache.Changed += OnChanged;
            var start = Stopwatch.GetTimestamp();
            proposal = await writes.UpdateAsync(proposal with { Status = proposal.Status with { Message = $"update {i}" } }, CancellationToken.None);
            Volatile.Write(ref expected, proposal.Metadata.ResourceVersion);
            if (readerCache.Get(proposal.Key)?.Metadata.ResourceVersion == proposal.Metadata.ResourceVersion)
            {
                seen.TrySetResult(Stopwatch.GetTimestamp());
            }

            var end = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10));
            readerCache.Changed -= OnChanged;
            if (i >= 50)
            {
                samples.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
            }
        }

        Print("Watch-cache freshness: status write on A → visible in B's cache", count, samples, "ms", "goal p99 ≤ 100 ms");
    }

    /// <summary>N ScalePolicies and N Deployments: time to a synced cache, then API requests per control-loop tick.</summary>
    private static async Task ScaleOutAsync(int count)
    {
        await using var server = await StartSandboxAsync(o => o.JournalLimit = 100_000);
        for (var i = 0; i < count; i++)
        {
            var ns = $"team-{i % 20}";
            server.Control.SeedDeployment(ns, $"svc-{i}", replicas: 2, readyReplicas: 2);
            server.Control.Seed(JsonSerializer.SerializeToNode(Policy(ns, $"svc-{i}"), CustomResourceJson.Options)!.AsObject());
        }

        await using var node = Node(server);
        var store = node.GetRequiredService<IPolicyStore>();
        var workloads = node.GetRequiredService<IWorkloadClient>();
        server.Control.ClearJournal();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(
            store.ListAsync(null, CancellationToken.None),
            node.GetRequiredService<WorkloadCache>().WaitForSyncAsync(CancellationToken.None));
        var syncTime = clock.Elapsed;
        var syncRequests = server.Control.Journal.Count(e => e.Verb is "list");

        const int ticks = 20;
        const int changesPerTick = 10;
        var quiet = await TicksAsync(server, store, workloads, ticks, changes: 0);
        var busy = await TicksAsync(server, store, workloads, ticks, changesPerTick);

        Console.WriteLine($"## {count:N0} ScalePolicies + {count:N0} Deployments");
        Console.WriteLine();
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine($"| full list+watch sync (policies, deployments, statefulsets, HPAs) | {syncTime.TotalMilliseconds:F0} ms, {syncRequests} list requests |");
        Console.WriteLine($"| steady state, no changes: API requests per tick (list+get / writes) | {quiet.Reads / (double)ticks:F1} / {quiet.Writes / (double)ticks:F1} |");
        Console.WriteLine($"| steady state, {changesPerTick} scale changes per tick: requests per tick (list+get / writes) | {busy.Reads / (double)ticks:F1} / {busy.Writes / (double)ticks:F1} |");
        Console.WriteLine($"| control-loop tick over all policies (list policies + read every workload, from the cache) | {quiet.TickMilliseconds:F2} ms mean |");
        Console.WriteLine();
    }

    private static async Task<(int Reads, int Writes, double TickMilliseconds)> TicksAsync(
        SandboxKubernetesServer server, IPolicyStore store, IWorkloadClient workloads, int ticks, int changes)
    {
        server.Control.ClearJournal();
        var clock = Stopwatch.StartNew();
        for (var tick = 0; tick < ticks; tick++)
        {
            var policies = await store.ListAsync(null, CancellationToken.None);
            var changed = 0;
            foreach (var policy in policies)
            {
                var target = new WorkloadRef(policy.Metadata.Namespace, policy.Spec.Target.Kind, policy.Spec.Target.Name);
                var state = await workloads.GetAsync(target, CancellationToken.None);
                if (state is not null && changed < changes && (policy.Metadata.Name.GetHashCode(StringComparison.Ordinal) + tick) % 7 == 0)
                {
                    var result = await workloads.ScaleAsync(new ScaleRequest(target, state.SpecReplicas == 2 ? 3 : 2, state.ResourceVersion, "benchmark", null), CancellationToken.None);
                    changed += result.Succeeded ? 1 : 0;
                }
            }
        }

        var elapsed = clock.Elapsed.TotalMilliseconds / ticks;
        var journal = server.Control.Journal;
        return (journal.Count(e => e.Verb is "list" or "get"), journal.Count(e => e.Verb is "update" or "patch" or "create"), elapsed);
    }

    private static ScalePolicy Policy(string ns, string name) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Name = name },
            Metrics = [new MetricSpec { Name = "qps", Query = $"sum(rate(http_requests_total{{service=\"{name}\"}}[1m]))", Target = 500 }],
            MinReplicas = 2,
            MaxReplicas = 40,
        },
    };

    private static async Task<SandboxKubernetesServer> StartSandboxAsync(Action<SandboxKubernetesOptions>? configure = null)
    {
        var server = await SandboxKubernetesServer.StartAsync(o =>
        {
            o.RunControllerLoop = false;
            configure?.Invoke(o);
        });
        foreach (var crd in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "crds"), "*.yaml"))
        {
            server.Control.Seed(File.ReadAllText(crd));
        }

        return server;
    }

    private static ServiceProvider Node(SandboxKubernetesServer server)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddScaleControlKubernetes(o =>
        {
            o.Host = server.BaseUri.ToString();
            o.LeaderElection.Enabled = false;
            o.Throttle.QueriesPerSecond = 10_000;
            o.Throttle.Burst = 10_000;
        });
        return services.BuildServiceProvider();
    }

    private static void Print(string title, int count, List<double> samples, string unit, string note)
    {
        samples.Sort();
        double Percentile(double p) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(p * samples.Count) - 1)];
        Console.WriteLine($"## {title}");
        Console.WriteLine();
        Console.WriteLine($"| n | p50 | p90 | p99 | max | note |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine($"| {count:N0} | {Percentile(0.5):F2} {unit} | {Percentile(0.9):F2} {unit} | {Percentile(0.99):F2} {unit} | {samples[^1]:F2} {unit} | {note} |");
        Console.WriteLine();
    }
}
