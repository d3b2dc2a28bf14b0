using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Testing.Charts;

namespace ScaleControl.Charts.Tests;

/// <summary>
/// The chart's RBAC must allow every Kubernetes API call the product makes. The calls are not listed by hand:
/// the real server runs in sandbox mode (the product's adapters talk to the sandbox API over HTTP), does its
/// work — watches, status writes, proposals, scale writes, HPA floors, events, leader election — and the
/// sandbox's request journal is compared with the rules templates/rbac.yaml renders: each call with those of its
/// namespace (a Role there, or the ClusterRole), each cluster-scoped call with the ClusterRole's. Retention is set to
/// keep one finished proposal per policy and to look every second, so the leader's conditional deletes are among the calls.
/// </summary>
public sealed class RbacCoverageTests : IAsyncLifetime
{
    private const string AdminToken = "sandbox-admin";
    private const string ApproverToken = "sandbox-zhangsan";
    private const string Release = "scalecontrol";
    private const string ReleaseNamespace = "scalecontrol-system"; // where the sandbox-mode server takes its Lease
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("scalecontrol-rbac-");
    private WebApplicationFactory<global::Program>? _factory;
    private HttpClient _http = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    private void Start(IReadOnlyList<string> watchNamespaces)
    {
        _factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("urls", "http://127.0.0.1:0");
            builder.UseSetting("ScaleControl:Sandbox:KubeconfigPath", Path.Combine(_directory.FullName, "kubeconfig"));
            builder.UseSetting("ScaleControl:Sandbox:FlatTraffic", "true");
            builder.UseSetting("ScaleControl:Sandbox:PodStartupSeconds", "1");
            builder.UseSetting("ScaleControl:Loop:StartupDelaySeconds", "0.5");
            builder.UseSetting("ScaleControl:Loop:TickSeconds", "0.5");
            builder.UseSetting("ScaleControl:Sandbox:EvaluationIntervalSeconds", "1");
            builder.UseSetting("ScaleControl:Kubernetes:LeaderElection:Enabled", "true"); // as in a cluster: take the Lease
            builder.UseSetting("ScaleControl:History:MaxPerPolicy", "1");
            builder.UseSetting("ScaleControl:History:PruneIntervalSeconds", "1");
            for (var i = 0; i < watchNamespaces.Count; i++)
            {
                builder.UseSetting($"ScaleControl:Kubernetes:Namespaces:{i}", watchNamespaces[i]);
            }
        });
        _factory.UseKestrel();
        _factory.StartServer();
        var url = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(url) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            _http.Dispose();
            await _factory.DisposeAsync();
        }

        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task ChartRbac_CoversEveryKubernetesCallTheProductMakes()
    {
        Start([]);
        var control = await WorkAsync(pinFeed: true);

        var calls = ProductCalls(control);
        var rules = RbacRules.Render([]);

        var seen = string.Join(", ", calls);
        Assert.True(calls.Any(c => c.Resource == "deployments/scale"), seen);
        Assert.True(calls.Any(c => c.Resource == "horizontalpodautoscalers"), seen);
        Assert.True(calls.Any(c => c.Resource == "leases"), seen);
        Assert.True(calls.Any(c => c.Resource == "events"), seen);
        Assert.True(calls.Any(c => c.Resource.StartsWith("scaleproposals", StringComparison.Ordinal)), seen);
        Assert.Contains(new ApiCall("delete", "scalecontrol.io", "scaleproposals", "shop"), calls);
        // The cost and room of the video scale-up: nodes and the pods bound to them, read only.
        Assert.True(calls.Any(c => c.Resource == "nodes"), seen);
        Assert.True(calls.Any(c => c.Resource == "pods"), seen);
        AssertAllowed(calls, rules, "charts/scalecontrol/templates/rbac.yaml");
    }

    /// <summary>
    /// With <c>watchNamespaces: [shop, video]</c> the chart grants Roles in those namespaces and no ClusterRole: every call
    /// the product makes is allowed by the Role of its namespace, none goes to a cluster-wide path, none to feed (whose
    /// policies are not evaluated), and a request for feed is refused naming the namespace and the set.
    /// </summary>
    [Fact]
    public async Task ChartRbac_WatchNamespaces_CoversEveryCall_WithRolesInThoseNamespacesOnly()
    {
        string[] watched = ["shop", "video"];
        Start(watched);
        var control = await WorkAsync(pinFeed: false);

        using var refused = await SendAsync(HttpMethod.Post, "/api/v1/workloads/feed/feed-service/pin", new { replicas = 9, durationSeconds = 600, reason = "rbac test" }, ApproverToken);
        var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("Namespace not watched", (string?)problem["title"]);
        Assert.Equal("namespace 'feed' is not watched by this ScaleControl: it works only in shop, video (ScaleControl:Kubernetes:Namespaces)", (string?)problem["detail"]);
        var status = JsonNode.Parse(await _http.GetStringAsync("/api/v1/status"))!;
        Assert.Equal(watched, status["namespaces"]!.AsArray().Select(n => (string)n!));
        Assert.DoesNotContain(status["policies"]!.AsArray(), p => (string?)p!["namespace"] == "feed");

        var calls = ProductCalls(control);
        var seen = string.Join(", ", calls);
        Assert.True(calls.Any(c => c is { Resource: "deployments/scale", Namespace: "shop" }), seen);
        Assert.True(calls.Any(c => c is { Resource: "statefulsets/scale", Namespace: "video" }), seen);
        Assert.True(calls.Any(c => c is { Verb: "list", Resource: "horizontalpodautoscalers", Namespace: "video" }), seen);
        Assert.Contains(new ApiCall("delete", "scalecontrol.io", "scaleproposals", "shop"), calls);
        Assert.True(calls.Any(c => c.Resource == "leases"), seen);
        var clusterWide = calls.Where(c => c.Namespace is null && c.ApiGroup != "apiextensions.k8s.io").ToList();
        Assert.True(clusterWide.Count == 0, "cluster-wide calls: " + string.Join(", ", clusterWide));
        Assert.DoesNotContain(calls, c => c.Namespace == "feed");

        var rules = RbacRules.Render(watched);
        Assert.DoesNotContain(rules, r => r.Namespace is null);
        AssertAllowed(calls, rules, "charts/scalecontrol/templates/rbac.yaml with watchNamespaces: [shop, video]");
    }

    /// <summary>
    /// Work that exercises every adapter: a direct scale (pin), an HPA floor (pin on the HPA-owned feed service, when
    /// <paramref name="pinFeed"/>), a StatefulSet scaled by its Auto policy (with its cost and room), proposals created,
    /// moved and pruned (two pins of checkout leave two finished records, one more than retention keeps), events, the
    /// leader Lease. Pins by zhangsan, who is on the seeded rosters, so they apply at once (the admin's would wait for approval).
    /// </summary>
    private async Task<SandboxKubernetesControl> WorkAsync(bool pinFeed)
    {
        await PostAsync("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 6, durationSeconds = 600, reason = "rbac test" }, ApproverToken);
        await PostAsync("/api/v1/workloads/shop/checkout-api/pin", new { replicas = 7, durationSeconds = 600, reason = "rbac test" }, ApproverToken);
        if (pinFeed)
        {
            await PostAsync("/api/v1/workloads/feed/feed-service/pin", new { replicas = 9, durationSeconds = 600, reason = "rbac test" }, ApproverToken);
        }

        await PostAsync("/sandbox/traffic/hot-events", new { @namespace = "video", workload = "video-transcoder", multiplier = 5, rampSeconds = 1, holdSeconds = 120, decaySeconds = 1 });
        await PostAsync("/api/v1/policies/shop/checkout-api/freeze", new { durationSeconds = 60, reason = "rbac test" });
        await WaitForAutoScaleAsync();
        var control = _factory!.Services.GetRequiredService<SandboxKubernetesControl>();
        await WaitForPruneAsync(control);
        return control;
    }

    private static List<ApiCall> ProductCalls(SandboxKubernetesControl control) =>
        control.Journal
            .Where(e => e.UserAgent?.StartsWith("scalecontrol", StringComparison.Ordinal) == true && e.Resource.Length > 0)
            .Select(e => new ApiCall(e.Verb, e.ApiGroup, e.Resource, e.Namespace))
            .Distinct()
            .ToList();

    /// <summary>CRDs are installed by Helm (crds/), not by the running product; in sandbox mode the server installs them itself.</summary>
    private static void AssertAllowed(IEnumerable<ApiCall> calls, IReadOnlyList<RbacRule> rules, string source)
    {
        var uncovered = calls.Where(c => c.ApiGroup != "apiextensions.k8s.io" && !rules.Any(r => r.Allows(c))).ToList();
        Assert.True(uncovered.Count == 0, $"not allowed by {source}: " + string.Join(", ", uncovered));
    }

    private async Task PostAsync(string path, object body, string? token = null)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, token);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object body, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? AdminToken);
        return await _http.SendAsync(request);
    }

    private async Task WaitForAutoScaleAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var history = JsonNode.Parse(await _http.GetStringAsync("/api/v1/history?namespace=video"))!.AsArray();
            if (history.Any(h => (string?)h!["kind"] == "AutoScaled"))
            {
                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail("the Auto policy of video/video-transcoder did not scale within 60 s");
    }

    private static async Task WaitForPruneAsync(SandboxKubernetesControl control)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (control.Journal.Any(e => e is { Verb: "delete", Resource: "scaleproposals", StatusCode: 200 }))
            {
                return;
            }

            await Task.Delay(250);
        }

        Assert.Fail("the leader deleted no finished proposal within 30 s, though checkout-api has two and retention keeps one");
    }

    private sealed record ApiCall(string Verb, string ApiGroup, string Resource, string? Namespace);

    /// <summary>A rule of a Role in <see cref="Namespace"/>, or of a ClusterRole (<see cref="Namespace"/> null: everywhere).</summary>
    private sealed record RbacRule(string? Namespace, IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs)
    {
        public bool Allows(ApiCall call) =>
            (Namespace is null || Namespace == call.Namespace)
            && (ApiGroups.Contains(call.ApiGroup) || ApiGroups.Contains("*"))
            && (Resources.Contains(call.Resource) || Resources.Contains("*"))
            && (Verbs.Contains(call.Verb) || Verbs.Contains("*"));
    }

    private static class RbacRules
    {
        /// <summary>The rules of every Role and ClusterRole the chart renders for <paramref name="watchNamespaces"/>.</summary>
        public static IReadOnlyList<RbacRule> Render(IReadOnlyList<string> watchNamespaces)
        {
            var text = RbacTemplate.Render(RepositoryPaths.Chart, Release, ReleaseNamespace, watchNamespaces);
            return YamlFiles.ParseDocuments(new StringReader(text))
                .OfType<JsonObject>()
                .Where(d => (string?)d["kind"] is "Role" or "ClusterRole")
                .SelectMany(d => d["rules"]!.AsArray().Select(r => new RbacRule(
                    (string?)d["kind"] == "Role" ? (string?)d["metadata"]!["namespace"] : null,
                    Strings(r!["apiGroups"]), Strings(r!["resources"]), Strings(r!["verbs"]))))
                .ToList();
        }

        private static List<string> Strings(JsonNode? node) =>
            node?.AsArray().Select(n => n?.GetValue<string>() ?? "").ToList() ?? [];
    }
}
