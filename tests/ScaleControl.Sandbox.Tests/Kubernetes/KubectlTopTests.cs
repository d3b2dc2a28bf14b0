using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The real kubectl's <c>top</c> against the emulated metrics-server (metrics.k8s.io/v1beta1), fed by the traffic
/// simulator on the same fake clock: 100 QPS on 4 ready pods of 50 QPS capacity, each requesting 500m.
/// </summary>
public sealed class KubectlTopTests
{
    private static readonly PodRequests s_checkout = new("500m", "512Mi");

    // A pod at half its capacity: 500m × (2 % idle + 98 % × 0.5).
    private const int HalfLoadMilliCpu = 255;

    private static async Task<SandboxHarness> ShopAsync(bool tls = false, Action<SandboxKubernetesOptions>? configure = null)
    {
        var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "4", "8Gi"));
            configure?.Invoke(o);
        }, fakeTime: true, tls: tls, services: s => s.AddSandboxTraffic(o =>
        {
            o.NoiseFraction = 0;
            o.Warmup = TimeSpan.FromMinutes(5);
            o.Services = [new() { Namespace = "shop", Workload = "checkout-api", PeakQps = 100, PodCapacityQps = 50, Flat = true }];
        }));
        sandbox.Control.SeedDeployment("shop", "checkout-api", 4, requests: s_checkout);
        sandbox.Control.SeedDeployment("shop", "batch", 1, requests: new("8", "1Gi")); // fits on no node: Pending
        sandbox.Control.ReconcileNow();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        return sandbox;
    }

    [Fact]
    public async Task TopPods_ShowEachReadyPodsShareOfTheLoad_AndNoPendingPod()
    {
        await using var sandbox = await ShopAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var rows = Rows((await kubectl.RunAsync("top", "pods", "-n", "shop")).StdOut);
        var pending = await kubectl.RunRawAsync("top", "pod", PendingPod(sandbox), "-n", "shop");

        Assert.Equal(["NAME", "CPU(cores)", "MEMORY(bytes)"], rows[0]);
        Assert.Equal(4, rows.Length - 1);
        Assert.All(rows.Skip(1), r => Assert.StartsWith("checkout-api-", r[0], StringComparison.Ordinal));
        Assert.All(rows.Skip(1), r => Assert.Equal($"{HalfLoadMilliCpu}m", r[1]));
        Assert.All(rows.Skip(1), r => Assert.InRange(Mi(r[2]), 204, 209)); // 40 % of 512Mi and a few MiB per pod
        Assert.Equal(1, pending.ExitCode);
        Assert.Equal($"Error from server (NotFound): pods.metrics.k8s.io \"shop/{PendingPod(sandbox)}\" not found", pending.StdErr.Trim());
    }

    [Fact]
    public async Task TopPods_HotEventRaisesTheLoad_CpuFollows()
    {
        await using var sandbox = await ShopAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var traffic = (TrafficSimulator)sandbox.Server.Services.GetService(typeof(TrafficSimulator))!;
        var before = Rows((await kubectl.RunAsync("top", "pods", "-n", "shop", "-l", "app=checkout-api")).StdOut);

        traffic.StartHotEvent(new HotEventRequest("shop", "checkout-api", 1.6, RampSeconds: 1, HoldSeconds: 600, DecaySeconds: 1));
        sandbox.Time!.Advance(TimeSpan.FromSeconds(30)); // the 15 s window lies in the hold
        var demand = traffic.Status().Single().Conditions.DemandQps;
        var during = Rows((await kubectl.RunAsync("top", "pods", "-n", "shop", "-l", "app=checkout-api")).StdOut);

        Assert.Equal(160, demand, precision: 6);
        Assert.All(before.Skip(1), r => Assert.Equal($"{HalfLoadMilliCpu}m", r[1]));
        Assert.All(during.Skip(1), r => Assert.Equal("402m", r[1])); // 40 QPS of 50: 500m × (2 % + 98 % × 0.8)
    }

    [Fact]
    public async Task TopPodContainers_ShowsTheContainer_AndAFieldSelectorPicksThePod()
    {
        await using var sandbox = await ShopAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = sandbox.Control.List("v1", "Pod", "shop").Select(p => (string)p["metadata"]!["name"]!).First(n => n.StartsWith("checkout-api-", StringComparison.Ordinal));

        var rows = Rows((await kubectl.RunAsync("top", "pod", pod, "-n", "shop", "--containers")).StdOut);
        var selected = Rows((await kubectl.RunAsync("top", "pods", "-A", "--field-selector", $"metadata.name={pod}")).StdOut);

        Assert.Equal(["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"], rows[0]);
        Assert.Equal([pod, "checkout-api", $"{HalfLoadMilliCpu}m"], rows[1][..3]);
        Assert.Equal(2, selected.Length);
        Assert.Equal(["shop", pod, $"{HalfLoadMilliCpu}m"], selected[1][..3]);
    }

    [Fact]
    public async Task TopNodes_SumTheirPodsAndTheSystem_AgainstAllocatable()
    {
        await using var sandbox = await ShopAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var rows = Rows((await kubectl.RunAsync("top", "nodes")).StdOut);
        var pods = Rows((await kubectl.RunAsync("top", "pods", "-n", "shop")).StdOut).Skip(1).Sum(r => Mi(r[2]));

        Assert.Equal(["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"], rows[0]);
        Assert.Equal(["node-a", $"{100 + (4 * HalfLoadMilliCpu)}m", "28%"], rows[1][..3]); // 1120m of 4 CPUs
        Assert.InRange(Mi(rows[1][3]), 640 + pods, 640 + pods + 3); // kubectl rounds each of the 4 pods' MiB down, and the node's
    }

    [Fact]
    public async Task TopPods_AViewerMayRead_AUserWithoutRightsIsRefused()
    {
        await using var sandbox = await ShopAsync(tls: true, o =>
        {
            o.Users["viewer-token"] = new SandboxUser("ann", []);
            o.Users["stranger-token"] = new SandboxUser("jane", []);
        });
        sandbox.Control.Seed("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: ann-view, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: ann}]
            """);
        using var viewer = new Kubectl(sandbox.Server, "viewer-token", "shop");
        using var stranger = new Kubectl(sandbox.Server, "stranger-token", "shop");

        var seen = Rows((await viewer.RunAsync("top", "pods")).StdOut);
        var refused = await stranger.RunRawAsync("top", "pods");

        Assert.Equal(4, seen.Length - 1);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(
            "Error from server (Forbidden): pods.metrics.k8s.io is forbidden: User \"jane\" cannot list resource \"pods\" in API group \"metrics.k8s.io\" in the namespace \"shop\"",
            refused.StdErr.Trim());
    }

    [Fact]
    public async Task RawApi_DiscoveryAndObjects_AsMetricsServerServesThem()
    {
        await using var sandbox = await ShopAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var resources = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", "/apis/metrics.k8s.io/v1beta1")).StdOut)!;
        var list = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods")).StdOut)!;
        var node = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes/node-a")).StdOut)!;
        var table = Rows((await kubectl.RunAsync("get", "pods.metrics.k8s.io", "-n", "shop")).StdOut);
        var watch = await kubectl.RunRawAsync("get", "--raw", "/apis/metrics.k8s.io/v1beta1/nodes?watch=true");

        Assert.Equal(
            ["nodes NodeMetrics false get,list", "pods PodMetrics true get,list"],
            resources["resources"]!.AsArray().Select(r => $"{r!["name"]} {r["kind"]} {r["namespaced"]} {string.Join(',', r["verbs"]!.AsArray())}").Order());
        Assert.Equal(("PodMetricsList", "metrics.k8s.io/v1beta1", 4), ((string?)list["kind"], (string?)list["apiVersion"], list["items"]!.AsArray().Count));
        var pod = list["items"]![0]!;
        Assert.Equal(("2026-05-01T12:00:05Z", "15s", "checkout-api"), ((string?)pod["timestamp"], (string?)pod["window"], (string?)pod["metadata"]!["labels"]!["app"]));
        Assert.Equal(("checkout-api", "255m"), ((string?)pod["containers"]![0]!["name"], (string?)pod["containers"]![0]!["usage"]!["cpu"]));
        Assert.Matches("^[0-9]+Ki$", (string?)pod["containers"]![0]!["usage"]!["memory"]);
        Assert.Equal(("NodeMetrics", "1120m"), ((string?)node["kind"], (string?)node["usage"]!["cpu"]));
        Assert.Equal(["NAME", "CPU", "MEMORY", "WINDOW"], table[0]);
        Assert.Equal(1, watch.ExitCode);
        Assert.Contains("MethodNotAllowed", watch.StdErr, StringComparison.Ordinal);
    }

    private static string PendingPod(SandboxHarness sandbox) =>
        sandbox.Control.List("v1", "Pod", "shop").Select(p => (string)p["metadata"]!["name"]!).Single(n => n.StartsWith("batch-", StringComparison.Ordinal));

    private static int Mi(string memory) => int.Parse(memory.TrimEnd('M', 'i'), CultureInfo.InvariantCulture);

    private static string[][] Rows(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
