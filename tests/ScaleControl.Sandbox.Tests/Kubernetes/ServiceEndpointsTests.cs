using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A Service with a selector gets an Endpoints and EndpointSlices that follow its pods (ready, not ready, terminating,
/// scaled, gone), as kube-controller-manager's endpoints and EndpointSlice controllers write them; checked with real kubectl.
/// </summary>
public sealed class ServiceEndpointsTests
{
    private const string Slices = "apis/discovery.k8s.io/v1/namespaces/shop/endpointslices";

    // A Deployment whose container names its port, and a Service that targets the port by that name.
    private static string Web(int replicas, int ready) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: sandbox/web:1
                ports: [{name: http, containerPort: 8080}]
        status: {replicas: {{{ready}}}, readyReplicas: {{{ready}}}, availableReplicas: {{{ready}}}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, labels: {tier: front}}
        spec:
          selector: {app: web}
          ports: [{name: http, port: 80, targetPort: http}]
        """;

    private static List<string> PodIps(SandboxHarness sandbox) =>
        [.. sandbox.Control.List("v1", "Pod", "shop").Select(p => (string)p["status"]!["podIP"]!).Order(StringComparer.Ordinal)];

    private static JsonObject Endpoints(SandboxHarness sandbox) => sandbox.Control.Get("v1", "Endpoints", "shop", "web")!;

    private static IReadOnlyList<JsonObject> WebSlices(SandboxHarness sandbox) =>
        [.. sandbox.Control.List("discovery.k8s.io/v1", "EndpointSlice", "shop").Where(s => (string?)s["metadata"]!["labels"]!["kubernetes.io/service-name"] == "web")];

    private static int Count(JsonNode? list) => (list as JsonArray)?.Count ?? 0;

    [Fact]
    public async Task Kubectl_ServiceWithReadyPods_ShowsThemInGetEndpointsGetEndpointSlicesAndDescribe()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 2, ready: 2));
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var expected = string.Join(',', PodIps(sandbox).Select(ip => ip + ":8080"));

        var endpoints = await kubectl.RunAsync("get", "endpoints", "web", "-n", "shop", "--no-headers");
        var slices = await kubectl.RunAsync("get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=web", "--no-headers");
        var describe = await kubectl.RunAsync("describe", "svc", "web", "-n", "shop");

        Assert.Equal(["web", expected], endpoints.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
        var slice = slices.StdOut.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^web-[a-z0-9]{5}$", slice[0]);
        Assert.Equal(["IPv4", "8080", string.Join(',', PodIps(sandbox))], slice[1..4]);
        Assert.Matches(new Regex($@"(?m)^Endpoints:\s+{Regex.Escape(expected)}$"), describe.StdOut);
    }

    [Fact]
    public async Task EndpointSlice_OfAService_IsLabelledOwnedAndListsEachPodWithItsConditionsAndTheResolvedPort()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 1, ready: 1));
        sandbox.Control.ReconcileNow();
        var pod = Assert.Single(sandbox.Control.List("v1", "Pod", "shop"));
        var service = sandbox.Control.Get("v1", "Service", "shop", "web")!;

        var slice = Assert.Single(WebSlices(sandbox));
        var endpoints = Endpoints(sandbox);

        Assert.Equal("endpointslice-controller.k8s.io", (string?)slice["metadata"]!["labels"]!["endpointslice.kubernetes.io/managed-by"]);
        Assert.Equal("front", (string?)slice["metadata"]!["labels"]!["tier"]);
        Assert.Equal("web-", (string?)slice["metadata"]!["generateName"]);
        var owner = slice["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("Service", "web", (string?)service["metadata"]!["uid"], true), ((string?)owner["kind"], (string?)owner["name"], (string?)owner["uid"], (bool?)owner["controller"]));
        Assert.Equal("IPv4", (string?)slice["addressType"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"name":"http","protocol":"TCP","port":8080}]"""), slice["ports"]));
        var endpoint = slice["endpoints"]![0]!;
        Assert.Equal((string?)pod["status"]!["podIP"], (string?)endpoint["addresses"]![0]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ready":true,"serving":true,"terminating":false}"""), endpoint["conditions"]));
        Assert.Equal(("Pod", (string?)pod["metadata"]!["name"], (string?)pod["metadata"]!["uid"]),
            ((string?)endpoint["targetRef"]!["kind"], (string?)endpoint["targetRef"]!["name"], (string?)endpoint["targetRef"]!["uid"]));
        Assert.Equal((string?)pod["spec"]!["nodeName"], (string?)endpoint["nodeName"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"name":"http","port":8080,"protocol":"TCP"}]"""), endpoints["subsets"]![0]!["ports"]));
        Assert.Equal("front", (string?)endpoints["metadata"]!["labels"]!["tier"]);
    }

    [Fact]
    public async Task Endpoints_FollowPodsBecomingReadyScaledAndTheServiceGoing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 2, ready: 0));
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var starting = Endpoints(sandbox)["subsets"]![0]!;
        var startingSlice = Assert.Single(WebSlices(sandbox));
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        var ready = Endpoints(sandbox)["subsets"]![0]!;
        await kubectl.RunAsync("scale", "deployment", "web", "-n", "shop", "--replicas=3");
        sandbox.Control.ReconcileNow();
        var scaled = Endpoints(sandbox)["subsets"]![0]!;
        var scaledSlice = Assert.Single(WebSlices(sandbox));
        await kubectl.RunAsync("delete", "service", "web", "-n", "shop");
        sandbox.Control.ReconcileNow();

        Assert.Equal((0, 2), (Count(starting["addresses"]), Count(starting["notReadyAddresses"])));
        Assert.All(startingSlice["endpoints"]!.AsArray(), e => Assert.False((bool)e!["conditions"]!["ready"]!));
        Assert.Equal((2, 0), (Count(ready["addresses"]), Count(ready["notReadyAddresses"])));
        Assert.Equal((2, 1), (Count(scaled["addresses"]), Count(scaled["notReadyAddresses"])));
        Assert.Equal([true, true, false], scaledSlice["endpoints"]!.AsArray().Select(e => (bool)e!["conditions"]!["ready"]!).Order().Reverse());
        Assert.Equal((string?)startingSlice["metadata"]!["name"], (string?)scaledSlice["metadata"]!["name"]);
        Assert.Null(sandbox.Control.Get("v1", "Endpoints", "shop", "web"));
        Assert.Empty(WebSlices(sandbox));
    }

    [Fact]
    public async Task Endpoints_PodBeingDeleted_LeavesEndpointsButStaysInTheSliceAsTerminating()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 2, ready: 2));
        sandbox.Control.ReconcileNow();
        var held = sandbox.Control.List("v1", "Pod", "shop")[0];
        held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        sandbox.Control.Seed(held);
        sandbox.Control.Delete("v1", "Pod", "shop", (string)held["metadata"]!["name"]!);

        sandbox.Control.ReconcileNow();
        var heldIp = (string)held["status"]!["podIP"]!;
        var endpoints = Endpoints(sandbox)["subsets"]![0]!;
        var terminating = WebSlices(sandbox).SelectMany(s => s["endpoints"]!.AsArray()).Single(e => (string?)e!["addresses"]![0] == heldIp)!;

        Assert.DoesNotContain(heldIp, endpoints.ToJsonString(), StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ready":false,"serving":true,"terminating":true}"""), terminating["conditions"]));
    }

    [Fact]
    public async Task Watch_Endpoints_AddedForTheServiceModifiedAsPodsGetReadyDeletedWithTheService()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        var since = sandbox.Control.ResourceVersion;
        await using var watch = await WatchLines.OpenAsync(sandbox.Http, $"api/v1/namespaces/shop/endpoints?watch=1&resourceVersion={since}");
        await using var slices = await WatchLines.OpenAsync(sandbox.Http, $"{Slices}?watch=1&resourceVersion={since}");

        sandbox.Control.Seed(Web(replicas: 1, ready: 0));
        sandbox.Control.ReconcileNow();
        sandbox.Time!.Advance(TimeSpan.FromSeconds(5));
        sandbox.Control.ReconcileNow();
        sandbox.Control.Delete("v1", "Service", "shop", "web");
        sandbox.Control.ReconcileNow();
        var events = new[] { await watch.NextAsync(), await watch.NextAsync(), await watch.NextAsync() };
        var sliceEvents = new[] { await slices.NextAsync(), await slices.NextAsync(), await slices.NextAsync() };

        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => (string?)e!["type"]));
        Assert.Equal(1, Count(events[0]!["object"]!["subsets"]![0]!["notReadyAddresses"]));
        Assert.Equal(1, Count(events[1]!["object"]!["subsets"]![0]!["addresses"]));
        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], sliceEvents.Select(e => (string?)e!["type"]));
        Assert.True((bool)sliceEvents[1]!["object"]!["endpoints"]![0]!["conditions"]!["ready"]!);
    }

    [Fact]
    public async Task ControllerPass_NothingChanged_WritesNoEndpointsOrSlices()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 3, ready: 3));
        sandbox.Control.ReconcileNow();
        sandbox.Control.ReconcileNow();
        var settled = sandbox.Control.ResourceVersion;

        sandbox.Time!.Advance(TimeSpan.FromMinutes(1));
        sandbox.Control.ReconcileNow();

        Assert.Equal(settled, sandbox.Control.ResourceVersion);
        Assert.Equal(3, Count(Endpoints(sandbox)["subsets"]![0]!["addresses"]));
    }

    [Fact]
    public async Task Service_WithoutPods_HasEmptyEndpointsAndOnePlaceholderSlice()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"selector":{"app":"none"},"ports":[{"port":80}]}}""");
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var endpoints = await kubectl.RunAsync("get", "endpoints", "web", "-n", "shop", "--no-headers");
        var slices = await kubectl.RunAsync("get", "endpointslices", "-n", "shop", "--no-headers");

        Assert.Equal(["web", "<none>"], endpoints.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
        Assert.Equal(["IPv4", "<unset>", "<unset>"], slices.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..4]);
    }

    [Fact]
    public async Task Service_WithoutSelectorOrExternalName_KeepsHandMadeEndpointsAndGetsNoneFromTheControllers()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(Web(replicas: 1, ready: 1).Replace("ports: [{name: http, port: 80, targetPort: http}]",
            "type: ExternalName\n  externalName: web.example.com", StringComparison.Ordinal));
        sandbox.Control.Seed("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"shop"},"spec":{"ports":[{"port":5432}]}}
            """);
        sandbox.Control.Seed("""
            {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"db","namespace":"shop"},
             "subsets":[{"addresses":[{"ip":"192.168.1.5"}],"ports":[{"port":5432}]}]}
            """);

        sandbox.Control.ReconcileNow();
        sandbox.Control.Delete("v1", "Service", "shop", "db");
        sandbox.Control.ReconcileNow();

        Assert.Equal("192.168.1.5", (string?)sandbox.Control.Get("v1", "Endpoints", "shop", "db")!["subsets"]![0]!["addresses"]![0]!["ip"]);
        Assert.Equal("ExternalName", (string?)sandbox.Control.Get("v1", "Service", "shop", "web")!["spec"]!["type"]);
        Assert.Null(sandbox.Control.Get("v1", "Endpoints", "shop", "web"));
        Assert.Empty(sandbox.Control.List("discovery.k8s.io/v1", "EndpointSlice", "shop"));
    }
}
