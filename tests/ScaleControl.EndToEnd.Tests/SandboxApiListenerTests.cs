using System.Net;
using ScaleControl.EndToEnd.Tests.Infrastructure;
using ScaleControl.Testing.Server;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>
/// In sandbox mode the Kubernetes API has a listener of its own (https, as an apiserver's 6443): the kubeconfig the
/// server writes points there, so kubectl's raw health and version paths reach the emulated API server, and the
/// product's own address serves no Kubernetes API. This tests sandbox mode's own wiring, so it runs the all-in-one
/// sandbox rather than <see cref="Infrastructure.ProductOnCluster"/>.
/// </summary>
public sealed class SandboxApiListenerTests
{
    [Fact]
    public async Task KubectlRawPaths_ReachTheEmulatedApiServer_NotTheProduct()
    {
        await using var sandbox = await SandboxServer.StartAsync(Fast.Settings());

        var healthz = await sandbox.Kubectl.RunAsync("get", "--raw", "/healthz");
        var livez = await sandbox.Kubectl.RunAsync("get", "--raw", "/livez");
        var readyz = await sandbox.Kubectl.RunAsync("get", "--raw", "/readyz");
        var version = await sandbox.Kubectl.RunAsync("get", "--raw", "/version");
        var who = await sandbox.Kubectl.RunAsync("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        using var productApi = await sandbox.Http.GetAsync("/api/v1/namespaces");

        Assert.Equal("https", sandbox.KubernetesApi.Scheme);
        Assert.NotEqual(sandbox.BaseUrl.Port, sandbox.KubernetesApi.Port);
        Assert.Equal(("ok", "ok", "ok"), (healthz.StdOut, livez.StdOut, readyz.StdOut));
        Assert.Contains("\"gitVersion\":\"v1.32.4\"", version.StdOut, StringComparison.Ordinal);
        Assert.Equal("kubernetes-admin", who.StdOut);
        Assert.NotEqual(HttpStatusCode.OK, productApi.StatusCode);
    }
}
