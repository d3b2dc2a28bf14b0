using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The sandbox's HPA controller on CPU utilization, as kube-controller-manager's: it reads the emulated metrics API
/// (the traffic simulator's load on the same fake clock) every 15 s, through real kubectl. Pods request 500m and serve
/// 50 QPS each; a pod at its capacity uses its whole request, so demand / (pods × 50) is about its utilization.
/// </summary>
public sealed class HpaControllerTests
{
    private static readonly PodRequests s_requests = new("500m", "512Mi");

    [Fact]
    public async Task LoadedDeployment_ScalesUpWithinBounds_TargetsShowTheUtilization()
    {
        await using var sandbox = await StartAsync(("web", 160));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Seed(sandbox, "web", 2);
        Run(sandbox, 15);

        await ApplyHpaAsync(kubectl, "web", max: 6);
        sandbox.Control.ReconcileNow();
        var first = (await Replicas(kubectl), await RowAsync(kubectl));
        Run(sandbox, 15);
        var whileNewPodsWarm = await Replicas(kubectl);
        Run(sandbox, 15);
        var second = (await Replicas(kubectl), await RowAsync(kubectl), Condition(sandbox, "ScalingLimited"));
        Run(sandbox, 30);
        var settled = (await Replicas(kubectl), await RowAsync(kubectl));
        var described = (await kubectl.RunAsync("describe", "hpa", "web", "-n", "shop")).StdOut;

        // 160 QPS on 2 pods: both at capacity, 100 % of the 50 % target → 4.
        Assert.Equal((4, "web Deployment/web cpu: 100%/50% 2 6 2"), first);
        // The 2 new pods are ready for less than a metrics window: upstream counts them at 0 on a scale-up, which turns the direction → hold.
        Assert.Equal(4, whileNewPodsWarm);
        // 40 QPS a pod: 80 % → ceil(1.6 × 4) = 7, held at maxReplicas 6.
        Assert.Equal((6, "web Deployment/web cpu: 80%/50% 2 6 4", ("True", "TooManyReplicas", "the desired replica count is more than the maximum replica count")), second);
        // 26.7 QPS a pod: 54 %, within the 0.1 tolerance.
        Assert.Equal((6, "web Deployment/web cpu: 54%/50% 2 6 6"), settled);
        Assert.Contains("New size: 4; reason: cpu resource utilization (percentage of request) above target", described, StringComparison.Ordinal);
        Assert.Contains("resource cpu on pods  (as a percentage of request):  54% (272m) / 50%", described, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 300)]
    [InlineData(60, 60)]
    public async Task ScaleDown_WaitsForTheStabilizationWindow(int? windowSeconds, int expectedWait)
    {
        await using var sandbox = await StartAsync(("web", 30));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Seed(sandbox, "web", 6);
        Run(sandbox, 15);

        await ApplyHpaAsync(kubectl, "web", max: 10, behavior: windowSeconds is { } w ? $"behavior: {{scaleDown: {{stabilizationWindowSeconds: {w}}}}}" : "");
        sandbox.Control.ReconcileNow();
        Run(sandbox, expectedWait - 15);
        var held = (await Replicas(kubectl), Condition(sandbox, "AbleToScale"), await RowAsync(kubectl));
        Run(sandbox, 15);
        var lowered = await Replicas(kubectl);
        var hpa = sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web")!;

        // 5 QPS a pod: 11 % of the 50 % target → ceil(0.22 × 6) = 2, but the window's highest recommendation (the 6 at start) holds.
        Assert.Equal((6, ("True", "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"),
            "web Deployment/web cpu: 11%/50% 2 10 6"), held);
        Assert.Equal(2, lowered);
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 12, 0, 15, TimeSpan.Zero).AddSeconds(expectedWait).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            (string?)hpa["status"]!["lastScaleTime"]);
    }

    [Fact]
    public async Task WithinTolerance_NothingChanges_UntilTheTargetMoves()
    {
        await using var sandbox = await StartAsync(("web", 50));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Seed(sandbox, "web", 2);
        Run(sandbox, 15);

        await ApplyHpaAsync(kubectl, "web", max: 10);
        sandbox.Control.ReconcileNow();
        Run(sandbox, 30);
        var steady = (await Replicas(kubectl), await RowAsync(kubectl));
        var conditions = (Condition(sandbox, "AbleToScale"), Condition(sandbox, "ScalingActive"), Condition(sandbox, "ScalingLimited"));
        var hpa = sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web")!;
        await kubectl.RunAsync("patch", "hpa", "web", "-n", "shop", "--type=merge", "-p",
            """{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":44}}}]}}""");
        sandbox.Control.ReconcileNow();

        // 25 QPS a pod: 255m of 500m = 51 %, a ratio of 1.02 to 50 %; against 44 % it is 1.16 → ceil(2.3) = 3.
        Assert.Equal((2, "web Deployment/web cpu: 51%/50% 2 10 2"), steady);
        Assert.Equal(
            (("True", "ReadyForNewScale", "recommended size matches current size"),
             ("True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"),
             ("False", "DesiredWithinRange", "the desired count is within the acceptable range")),
            conditions);
        Assert.Null(hpa["status"]!["lastScaleTime"]);
        Assert.Equal(2, (int)hpa["status"]!["desiredReplicas"]!);
        Assert.Equal(3, await Replicas(kubectl));
    }

    [Fact]
    public async Task MemoryAverageValue_ScalesByTheAverageUsage()
    {
        await using var sandbox = await StartAsync(("web", 10));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Seed(sandbox, "web", 2);
        Run(sandbox, 15);

        await ApplyHpaAsync(kubectl, "web", max: 10, metric: "{name: memory, target: {type: AverageValue, averageValue: 100Mi}}");
        sandbox.Control.ReconcileNow();
        var row = await RowAsync(kubectl);

        // Memory is steady at 40 % of the 512Mi request plus 0–4 MiB: 205–209Mi, 2.05–2.09× the target → ceil(4.1) = 5.
        Assert.Matches(@"^web Deployment/web memory: 21[4-8]([0-9]{6}|[0-9]{3}k|M)/100Mi 2 10 2$", row); // bytes, as DecimalSI prints them
        Assert.Equal(5, await Replicas(kubectl));
    }

    [Fact]
    public async Task PodWithoutCpuRequest_ScalingActiveFalse_FailedGetResourceMetric()
    {
        await using var sandbox = await StartAsync(("web", 160));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("web.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - {name: web, image: nginx, resources: {requests: {memory: 256Mi}}}
            """));
        sandbox.Control.ReconcileNow();
        Run(sandbox, 25);

        await ApplyHpaAsync(kubectl, "web", max: 10);
        sandbox.Control.ReconcileNow();
        Run(sandbox, 15);
        var described = (await kubectl.RunAsync("describe", "hpa", "web", "-n", "shop")).StdOut;
        var lines = described.Split('\n').Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();

        Assert.Equal(2, await Replicas(kubectl)); // overloaded, yet nothing to size by
        Assert.Contains(lines, l => l.StartsWith(
            "ScalingActive False FailedGetResourceMetric the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container web of Pod web-",
            StringComparison.Ordinal));
        Assert.Contains("resource cpu on pods (as a percentage of request): <unknown> / 50%", lines);
        Assert.Single(lines, l => l.StartsWith("Warning FailedGetResourceMetric", StringComparison.Ordinal) && l.Contains("missing request for cpu", StringComparison.Ordinal));
        Assert.Equal("web Deployment/web cpu: <unknown>/50% 2 10 2", await RowAsync(kubectl));
    }

    [Fact]
    public async Task RecommendationHook_WinsOverTheMetrics_WhereItAnswers()
    {
        await using var sandbox = await StartAsync(o => o.HpaRecommendation = c => c.HpaName == "pinned" ? 3 : null, ("pinned", 160), ("web", 160));
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        Seed(sandbox, "pinned", 2);
        Seed(sandbox, "web", 2);
        Run(sandbox, 15);

        await ApplyHpaAsync(kubectl, "pinned", max: 10);
        await ApplyHpaAsync(kubectl, "web", max: 10);
        Run(sandbox, 30);

        Assert.Equal(3, await kubectl.ReplicasAsync("deployment", "shop", "pinned"));
        Assert.Equal(4, await Replicas(kubectl)); // no answer for web: its metrics decide (100 % of 50 %)
    }

    private static Task<SandboxHarness> StartAsync(params (string Workload, double Qps)[] services) => StartAsync(null, services);

    private static async Task<SandboxHarness> StartAsync(Action<SandboxKubernetesOptions>? configure, params (string Workload, double Qps)[] services)
    {
        var sandbox = await SandboxHarness.StartAsync(o =>
        {
            o.Nodes.Clear();
            o.Nodes.Add(new SandboxNode("node-a", "16", "64Gi"));
            configure?.Invoke(o);
        }, fakeTime: true, services: s => s.AddSandboxTraffic(o =>
        {
            o.NoiseFraction = 0;
            o.Warmup = TimeSpan.FromMinutes(5);
            o.Services = [.. services.Select(x => new SimulatedServiceOptions { Namespace = "shop", Workload = x.Workload, PeakQps = x.Qps, PodCapacityQps = 50, Flat = true })];
        }));
        sandbox.Control.ReconcileNow();
        return sandbox;
    }

    // The controller loop's passes every 5 s of the fake clock: pods start, the HPA syncs when its 15 s are up.
    private static void Run(SandboxHarness sandbox, int seconds)
    {
        for (var i = 0; i < seconds / 5; i++)
        {
            sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
            sandbox.Control.ReconcileNow();
        }
    }

    // Ready pods at the current time, so their CPU counts one metrics window (15 s) later.
    private static void Seed(SandboxHarness sandbox, string name, int replicas)
    {
        sandbox.Control.SeedDeployment("shop", name, replicas, readyReplicas: replicas, requests: s_requests);
        sandbox.Control.ReconcileNow();
    }

    private static Task ApplyHpaAsync(Kubectl kubectl, string name, int max, string behavior = "",
        string metric = "{name: cpu, target: {type: Utilization, averageUtilization: 50}}") =>
        kubectl.RunAsync("apply", "-f", kubectl.WriteFile($"hpa-{name}.yaml", $$$"""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: {{{name}}}, namespace: shop}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: {{{name}}}}
              minReplicas: 2
              maxReplicas: {{{max}}}
              metrics:
                - type: Resource
                  resource: {{{metric}}}
              {{{behavior}}}
            """));

    private static Task<int> Replicas(Kubectl kubectl) => kubectl.ReplicasAsync("deployment", "shop", "web");

    // `kubectl get hpa` without the AGE column, single-spaced.
    private static async Task<string> RowAsync(Kubectl kubectl)
    {
        var row = (await kubectl.RunAsync("get", "hpa", "web", "-n", "shop", "--no-headers")).StdOut.Trim();
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return string.Join(' ', cells[..^1]);
    }

    private static (string?, string?, string?) Condition(SandboxHarness sandbox, string type)
    {
        var hpa = sandbox.Control.Get("autoscaling/v2", "HorizontalPodAutoscaler", "shop", "web")!;
        var condition = (hpa["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().SingleOrDefault(c => (string?)c["type"] == type);
        return ((string?)condition?["status"], (string?)condition?["reason"], (string?)condition?["message"]);
    }
}
