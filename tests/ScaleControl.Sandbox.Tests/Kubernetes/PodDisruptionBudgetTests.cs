using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// PodDisruptionBudgets and the pods/eviction subresource, as kube-apiserver 1.32's EvictionREST and the disruption
/// controller: <c>kubectl drain</c> evicts through the API and a budget with no disruption left holds it back.
/// Real kubectl 1.32.4 and the KubernetesClient on a fake clock.
/// </summary>
public sealed class PodDisruptionBudgetTests
{
    private static readonly PodRequests s_small = new("100m", "64Mi");

    private static Task<SandboxHarness> TwoNodesAsync() => SandboxHarness.StartAsync(o =>
    {
        o.PodStartupDelay = TimeSpan.FromSeconds(5);
        o.Nodes.Clear();
        o.Nodes.Add(new SandboxNode("node-a", "2", "4Gi"));
        o.Nodes.Add(new SandboxNode("node-b", "2", "4Gi"));
    }, fakeTime: true);

    [Fact]
    public async Task Drain_BudgetWithNoDisruptionLeft_RefusesTheEvictionAndThePodsStay()
    {
        await using var sandbox = await TwoNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2, requests: s_small, terminationGracePeriodSeconds: 0);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var created = await kubectl.RunAsync("create", "pdb", "web", "-n", "shop", "--selector=app=web", "--min-available=2");
        sandbox.Control.ReconcileNow();
        var table = (await kubectl.RunAsync("get", "pdb", "-n", "shop")).StdOut;
        var node = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[0].spec.nodeName}")).StdOut;
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "--field-selector", $"spec.nodeName={node}", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;
        var drain = await kubectl.RunRawAsync("drain", node, "--ignore-daemonsets", "--timeout=2s");
        var (code, refusal) = await sandbox.SendAsync(HttpMethod.Post, $"api/v1/namespaces/shop/pods/{pod}/eviction",
            $$$"""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"{{{pod}}}","namespace":"shop"}}""");
        var left = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}")).StdOut;

        Assert.Equal("poddisruptionbudget.policy/web created\n", created.StdOut);
        Assert.Equal(
            ["NAME   MIN AVAILABLE   MAX UNAVAILABLE   ALLOWED DISRUPTIONS   AGE", "web    2               N/A               0                     0s"],
            table.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, drain.ExitCode);
        Assert.Contains(
            $"error when evicting pods/\"{pod}\" -n \"shop\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.",
            drain.StdErr, StringComparison.Ordinal);
        Assert.Equal(429, code);
        Assert.Equal("TooManyRequests", (string?)refusal["reason"]);
        Assert.Equal("Cannot evict pod as it would violate the pod's disruption budget.", (string?)refusal["message"]);
        Assert.Equal("""{"causes":[{"reason":"DisruptionBudget","message":"The disruption budget web needs 2 healthy pods and has 2 currently"}]}""",
            refusal["details"]!.ToJsonString());
        Assert.Equal(2, left.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain("T", string.Concat(left.Split('\n').Select(l => l.Split(' ').ElementAtOrDefault(1))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_WithABudgetToSpend_EvictsThePodThroughTheApi()
    {
        await using var sandbox = await TwoNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 2, readyReplicas: 2, requests: s_small, terminationGracePeriodSeconds: 0);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "pdb", "web", "-n", "shop", "--selector=app=web", "--max-unavailable=1");
        sandbox.Control.ReconcileNow();
        var node = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[0].spec.nodeName}")).StdOut;
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "--field-selector", $"spec.nodeName={node}", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;

        var drain = await kubectl.RunRawAsync("drain", node, "--ignore-daemonsets", "--timeout=20s");
        var budget = (await kubectl.RunAsync("get", "pdb", "web", "-n", "shop", "-o",
            "jsonpath={.status.disruptionsAllowed} {.status.disruptedPods} {.status.conditions[0].status} {.status.conditions[0].reason}")).StdOut;

        Assert.True(drain.ExitCode == 0, drain.StdErr);
        Assert.Contains($"evicting pod shop/{pod}", drain.StdErr + drain.StdOut, StringComparison.Ordinal);
        Assert.Contains($"pod/{pod} evicted", drain.StdOut, StringComparison.Ordinal);
        // Spent by the eviction; the pod went at once (grace period 0), before the controller's next pass.
        Assert.Equal($"0 {{\"{pod}\":\"2026-05-01T12:00:00Z\"}} False InsufficientPods", budget);
    }

    [Fact]
    public async Task Eviction_SpendsTheBudget_WhichComesBackWhenTheReplacementIsReady()
    {
        await using var sandbox = await TwoNodesAsync();
        sandbox.Control.SeedDeployment("shop", "web", 3, readyReplicas: 3, requests: s_small);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "pdb", "web", "-n", "shop", "--selector=app=web", "--max-unavailable=1");
        sandbox.Control.ReconcileNow();
        var pods = (await sandbox.Client.CoreV1.ListNamespacedPodAsync("shop")).Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();

        var counted = await StatusAsync(kubectl);
        await EvictAsync(sandbox, pods[0]);
        var spent = await StatusAsync(kubectl);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => EvictAsync(sandbox, pods[1]));
        sandbox.Control.ReconcileNow(); // pods[0] terminates (30 s), its replacement is created
        var replacing = await StatusAsync(kubectl);
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();
        var replaced = await StatusAsync(kubectl);
        await EvictAsync(sandbox, pods[1]);

        Assert.Equal("3 2 3 1 True SufficientPods ", counted);
        Assert.Equal($"3 2 3 0 False InsufficientPods {{\"{pods[0]}\":\"2026-05-01T12:00:00Z\"}}", spent);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Response.StatusCode);
        Assert.Contains("The disruption budget web needs 2 healthy pods and has 3 currently", refused.Response.Content, StringComparison.Ordinal);
        Assert.Equal("3 2 2 0 False InsufficientPods ", replacing);
        Assert.Equal("3 2 3 1 True SufficientPods ", replaced);
        Assert.NotNull((await sandbox.Client.CoreV1.ReadNamespacedPodAsync(pods[1], "shop")).Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task Budget_BothMinAndMaxOrABadPercent_IsTheApiserversInvalid()
    {
        await using var sandbox = await TwoNodesAsync();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        var file = kubectl.WriteFile("pdb.yaml", """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: web, namespace: shop}
            spec: {selector: {matchLabels: {app: web}}, minAvailable: 50x}
            """);

        var result = await kubectl.RunRawAsync("apply", "-f", file);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "The PodDisruptionBudget \"web\" is invalid: spec.minAvailable: Invalid value: 50x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%', or '93%', regex used for validation is '[0-9]+%')\n",
            result.StdErr);
    }

    private static async Task<string> StatusAsync(Kubectl kubectl) => (await kubectl.RunAsync("get", "pdb", "web", "-n", "shop", "-o",
        "jsonpath={.status.expectedPods} {.status.desiredHealthy} {.status.currentHealthy} {.status.disruptionsAllowed} {.status.conditions[0].status} {.status.conditions[0].reason} {.status.disruptedPods}")).StdOut;

    private static Task EvictAsync(SandboxHarness sandbox, string pod) => sandbox.Client.CoreV1.CreateNamespacedPodEvictionAsync(
        new V1Eviction { ApiVersion = "policy/v1", Kind = "Eviction", Metadata = new V1ObjectMeta { Name = pod, NamespaceProperty = "shop" } }, pod, "shop");
}
