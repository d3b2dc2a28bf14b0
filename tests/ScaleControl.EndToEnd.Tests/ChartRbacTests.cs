using System.Text.RegularExpressions;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// The chart's least privilege proven by a server that says 403: the chart's ServiceAccount and RBAC objects are
/// applied to a sandbox cluster with kubectl, the product runs in cluster mode with that ServiceAccount's token, and
/// it works; with one verb taken from the chart's ClusterRole the same work fails with the apiserver's Forbidden text.
/// </summary>
public sealed partial class ChartRbacTests
{
    private const string AdminToken = "chart-rbac-admin-token";

    [Fact]
    public async Task ClusterMode_WithExactlyTheChartsRbac_Works_AndFailsClearlyWithoutTheScaleVerb()
    {
        // The cluster's own control loop stays idle: every write comes from the replica under test.
        await using var cluster = await SandboxServer.StartAsync(Fast.Settings(("ScaleControl__Loop__StartupDelaySeconds", "600")));
        var kubeconfig = await ChartRbac.InstallAsync(cluster);
        var rbac = ChartRbac.Render();
        var who = await new Testing.Kubernetes.Kubectl(kubeconfig).RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        Assert.Equal(ChartRbac.User, who.StdOut);

        await using var server = await StartReplicaAsync(kubeconfig, "chart-rbac");

        // Leader election, watches, status writes and a scale write, all as the chart's ServiceAccount.
        await server.Eventually(async () => (await server.GetJson("/api/v1/status", AdminToken)).GetProperty("isLeader").GetBoolean(), "the replica takes the chart's Lease");
        await server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 7, durationSeconds = 600, reason = "chart rbac test" }, AdminToken);
        await server.Eventually(async () => await cluster.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") == 7, "the pin reaches the cluster");
        var forbidden = (await cluster.GetJson("/sandbox/k8s-control/journal")).EnumerateArray()
            .Where(e => e.GetProperty("statusCode").GetInt32() == 403).Select(e => e.ToString()).ToList();
        Assert.True(forbidden.Count == 0, "requests the chart's RBAC refused: " + string.Join('\n', forbidden));

        // Take the scale verb the product just used from the chart's ClusterRole: the next scale write is refused.
        var scaleWrite = (await cluster.GetJson("/sandbox/k8s-control/journal?verb=update,patch")).EnumerateArray()
            .Last(e => e.GetProperty("resource").GetString() == "statefulsets/scale");
        var verb = scaleWrite.GetProperty("verb").GetString()!;
        var scaleRule = ScaleRule().Match(rbac);
        Assert.True(scaleRule.Success, "the chart's ClusterRole has a scale rule");
        var narrowed = rbac.Replace(scaleRule.Value, scaleRule.Value.Replace($"\"{verb}\", ", "", StringComparison.Ordinal).Replace($", \"{verb}\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.NotEqual(rbac, narrowed);
        await cluster.Kubectl.RunAsync("apply", "-f", cluster.Kubectl.WriteFile("chart-rbac-narrowed.yaml", narrowed));

        var pin = await server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 8, durationSeconds = 600, reason = "chart rbac test" }, AdminToken);
        var expected = $"statefulsets.apps \"video-transcoder\" is forbidden: User \"system:serviceaccount:{ChartRbac.Namespace}:{ChartRbac.Release}\" cannot {verb} resource \"statefulsets/scale\" in API group \"apps\" in the namespace \"video\"";
        // The refusal is reported where an operator looks: a ScaleFailed warning Event with the apiserver's message.
        var events = await server.Eventually(async () =>
        {
            var messages = (await cluster.Kubectl.RunAsync("get", "events", "-n", "video", "--field-selector", "reason=ScaleFailed", "-o", "jsonpath={.items[*].message}")).StdOut;
            return messages.Contains(expected, StringComparison.Ordinal) ? messages : null;
        }, "the refused scale write is reported with the apiserver's message (pin: " + pin + ")");
        Assert.Contains("scaling to 8 failed: " + expected, events, StringComparison.Ordinal);
        Assert.Equal(7, await cluster.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder"));
    }

    /// <summary>
    /// A cluster whose RBAC refuses one workload kind (here: no list/watch of StatefulSets): Deployment policies still
    /// read their workloads, a StatefulSet's pin answers 503 with the API server's reason instead of waiting forever, and
    /// <c>/readyz</c> says which cache cannot list and why while the replica stays in service (Degraded, 200).
    /// </summary>
    [Fact]
    public async Task ClusterMode_WithoutListingStatefulSets_ServesDeployments_AndSaysWhyStatefulSetsFail()
    {
        await using var cluster = await SandboxServer.StartAsync(Fast.Settings(("ScaleControl__Loop__StartupDelaySeconds", "600")));
        var narrowed = ChartRbac.Render().Replace("resources: [\"deployments\", \"statefulsets\"]", "resources: [\"deployments\"]", StringComparison.Ordinal);
        Assert.NotEqual(ChartRbac.Render(), narrowed);
        var kubeconfig = await ChartRbac.InstallAsync(cluster, narrowed);

        await using var server = await StartReplicaAsync(kubeconfig, "chart-rbac-narrow");

        var refused = $"cannot read statefulsets: 403 Forbidden: statefulsets.apps is forbidden: User \"{ChartRbac.User}\" cannot list resource \"statefulsets\" in API group \"apps\" at the cluster scope";
        var readyz = await server.Eventually(async () =>
        {
            using var response = await server.Http.GetAsync("/readyz");
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && text.Contains(refused, StringComparison.Ordinal) ? text : null;
        }, "/readyz names the cache that cannot list and the API server's reason");
        Assert.StartsWith("Degraded\nworkload-caches: Degraded: ", readyz, StringComparison.Ordinal);

        // A Deployment's policy still reads its workload (before, every read waited for all three caches).
        var decision = await server.PostJson("/api/v1/policies/shop/checkout-api/evaluate", new { }, AdminToken);
        Assert.Equal(await cluster.Kubectl.ReplicasAsync("deployment", "shop", "checkout-api"), decision.GetProperty("currentReplicas").GetInt32());

        var statefulSetPin = await Assert.ThrowsAsync<HttpRequestException>(() =>
            server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 7, durationSeconds = 600, reason = "rbac narrowed" }, AdminToken));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, statefulSetPin.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(statefulSetPin.Message[(statefulSetPin.Message.IndexOf("503: ", StringComparison.Ordinal) + 5)..]).RootElement;
        Assert.Equal("Kubernetes cache not synced", problem.GetProperty("title").GetString());
        Assert.Contains(refused, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(7, await cluster.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder"));
    }

    /// <summary>
    /// A namespaced install: the chart rendered with <c>watchNamespaces: [shop, video]</c> (a Role and RoleBinding in each,
    /// no ClusterRole) applied to a sandbox cluster whose RBAC answers 403, and the product restricted to those namespaces
    /// running with that ServiceAccount's token. It takes its Lease, lists and watches both namespaces, scales in video and
    /// is ready, with no request refused and none on a cluster-wide path; a pin in feed is refused naming feed and the set.
    /// </summary>
    [Fact]
    public async Task ClusterMode_WithTheChartsNamespacedRoles_WorksInThoseNamespaces_AndRefusesOthers()
    {
        await using var cluster = await SandboxServer.StartAsync(Fast.Settings(("ScaleControl__Loop__StartupDelaySeconds", "600")));
        var kubeconfig = await ChartRbac.InstallAsync(cluster, ChartRbac.Render("shop", "video"));
        var account = new Testing.Kubernetes.Kubectl(kubeconfig);
        Assert.Equal("no", (await account.RunRawAsync("auth", "can-i", "list", "deployments", "--all-namespaces")).StdOut.Trim());
        Assert.Equal("yes", (await account.RunRawAsync("auth", "can-i", "watch", "scalepolicies.scalecontrol.io", "-n", "video")).StdOut.Trim());

        const string Identity = "chart-rbac-namespaced";
        await using var server = await StartReplicaAsync(kubeconfig, Identity,
            ("ScaleControl__Kubernetes__Namespaces__0", "shop"), ("ScaleControl__Kubernetes__Namespaces__1", "video"));

        await server.Eventually(async () => (await server.GetJson("/api/v1/status", AdminToken)).GetProperty("isLeader").GetBoolean(), "the replica takes the chart's Lease");
        await server.PostJson("/api/v1/workloads/video/video-transcoder/pin", new { replicas = 7, durationSeconds = 600, reason = "namespaced rbac test" }, AdminToken);
        await server.Eventually(async () => await cluster.Kubectl.ReplicasAsync("statefulset", "video", "video-transcoder") == 7, "the pin reaches the cluster");
        using (var ready = await server.Http.GetAsync("/readyz"))
        {
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        }

        var feedPin = await Assert.ThrowsAsync<HttpRequestException>(() =>
            server.PostJson("/api/v1/workloads/feed/feed-service/pin", new { replicas = 9, durationSeconds = 600, reason = "outside" }, AdminToken));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, feedPin.StatusCode);
        Assert.Contains("namespace 'feed' is not watched by this ScaleControl: it works only in shop, video (ScaleControl:Kubernetes:Namespaces)", feedPin.Message, StringComparison.Ordinal);

        var requests = (await cluster.GetJson("/sandbox/k8s-control/journal")).EnumerateArray()
            .Where(e => e.GetProperty("userAgent").GetString() == $"scalecontrol/{Identity}").ToList();
        Assert.Contains(requests, e => e.GetProperty("resource").GetString() == "statefulsets/scale");
        var refused = requests.Where(e => e.GetProperty("statusCode").GetInt32() == 403).Select(e => e.ToString()).ToList();
        Assert.True(refused.Count == 0, "requests the namespaced Roles refused: " + string.Join('\n', refused));
        var clusterWide = requests.Where(e => e.GetProperty("namespace").ValueKind == System.Text.Json.JsonValueKind.Null).Select(e => e.ToString()).ToList();
        Assert.True(clusterWide.Count == 0, "cluster-wide requests: " + string.Join('\n', clusterWide));
        Assert.DoesNotContain(requests, e => e.GetProperty("namespace").GetString() == "feed");
    }

    /// <summary>The product in cluster mode with the kubeconfig of the chart's ServiceAccount (no Prometheus, no DingTalk).</summary>
    private static Task<SandboxServer> StartReplicaAsync(string kubeconfig, string identity, params (string Key, string Value)[] extra) =>
        SandboxServer.StartAsync(Fast.Settings([
            ("ScaleControl__Mode", "Cluster"),
            ("ScaleControl__Kubernetes__KubeconfigPath", kubeconfig),
            ("ScaleControl__Kubernetes__LeaderElection__Namespace", ChartRbac.Namespace),
            ("ScaleControl__Prometheus__Url", "http://127.0.0.1:9"),
            ("ScaleControl__DingTalk__Enabled", "false"),
            ("ScaleControl__Approvals__SigningKey", "chart-rbac-test-signing-key-0123456789"),
            ("SCALECONTROL_ADMIN_TOKEN", AdminToken),
            ("ScaleControl__Identity", identity),
            .. extra]));

    [GeneratedRegex(@"resources: \[""deployments/scale"", ""statefulsets/scale""\]\s*\n\s*verbs: \[[^\]]*\]")]
    private static partial Regex ScaleRule();
}
