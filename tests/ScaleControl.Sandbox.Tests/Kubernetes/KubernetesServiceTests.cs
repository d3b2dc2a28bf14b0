using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The apiserver's own default/kubernetes Service is there from the start, on the service range's first address, with
/// endpoints at the address the sandbox API is served on; discovery lists Endpoints and EndpointSlices.
/// </summary>
public sealed class KubernetesServiceTests
{
    [Fact]
    public async Task Kubectl_FreshSandbox_ShowsTheKubernetesServiceAndItsEndpointsAtTheApiAddress()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var port = sandbox.Server.BaseUri.Port;

        var service = await kubectl.RunAsync("get", "svc", "kubernetes", "-o",
            "jsonpath={.spec.type} {.spec.clusterIP} {.spec.ports[0].name} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.metadata.labels.component}");
        var endpoints = await kubectl.RunAsync("get", "endpoints", "kubernetes", "--no-headers");
        var slice = await kubectl.RunAsync("get", "endpointslice", "kubernetes", "--no-headers");
        var taken = await kubectl.RunRawAsync("create", "service", "clusterip", "other", "--tcp=80", "--clusterip=10.96.0.1");

        Assert.Equal($"ClusterIP 10.96.0.1 https 443 {port} apiserver", service.StdOut);
        Assert.Equal(["kubernetes", $"127.0.0.1:{port}"], endpoints.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
        Assert.Equal(["kubernetes", "IPv4", $"{port}", "127.0.0.1"], slice.StdOut.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
        Assert.Equal(1, taken.ExitCode);
        Assert.Contains("provided IP is already allocated", taken.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesService_Deleted_IsRecreatedByTheNextControllerPass()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        await kubectl.RunAsync("delete", "svc", "kubernetes");
        await kubectl.RunAsync("delete", "endpoints", "kubernetes");
        var gone = sandbox.Control.Get("v1", "Service", "default", "kubernetes");
        sandbox.Control.ReconcileNow();

        Assert.Null(gone);
        Assert.Equal("10.96.0.1", (string?)sandbox.Control.Get("v1", "Service", "default", "kubernetes")!["spec"]!["clusterIP"]);
        Assert.Equal("127.0.0.1", (string?)sandbox.Control.Get("v1", "Endpoints", "default", "kubernetes")!["subsets"]![0]!["addresses"]![0]!["ip"]);
    }

    [Fact]
    public async Task Discovery_ListsEndpointsInCoreAndEndpointSlicesInDiscoveryGroup()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var groups = await sandbox.SendAsync(HttpMethod.Get, "apis");
        var discovery = await sandbox.SendAsync(HttpMethod.Get, "apis/discovery.k8s.io/v1");
        var core = await sandbox.SendAsync(HttpMethod.Get, "api/v1");
        var resources = await kubectl.RunAsync("api-resources", "--api-group=discovery.k8s.io", "--no-headers");

        Assert.Contains(groups.Body["groups"]!.AsArray(), g => (string?)g!["name"] == "discovery.k8s.io");
        Assert.Contains(discovery.Body["resources"]!.AsArray(), r => (string?)r!["name"] == "endpointslices" && (string?)r["kind"] == "EndpointSlice");
        Assert.Contains(core.Body["resources"]!.AsArray(), r => (string?)r!["name"] == "endpoints" && (string?)r["shortNames"]![0] == "ep");
        Assert.Equal(["endpointslices", "discovery.k8s.io/v1", "true", "EndpointSlice"], resources.StdOut.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
