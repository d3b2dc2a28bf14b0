using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// <c>kind: List</c> manifests, what <c>kubectl get … -o yaml</c> of several objects saves: kubectl 1.32 validates a
/// List client-side against <c>/openapi/v2</c>, so without that document the whole apply failed with "the server
/// could not find the requested resource". Real kubectl 1.32.4.
/// </summary>
public sealed class KubectlApplyListTests
{
    [Fact]
    public async Task SavedListOfObjects_AppliesAgain()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "configmap", "a", "-n", "shop", "--from-literal=k=1");
        await kubectl.RunAsync("create", "configmap", "b", "-n", "shop", "--from-literal=k=2");
        var saved = (await kubectl.RunAsync("get", "configmaps", "a", "b", "-n", "shop", "-o", "yaml")).StdOut;

        var edited = kubectl.WriteFile("saved.yaml", saved.Replace("k: \"2\"", "k: \"3\"", StringComparison.Ordinal));
        var applied = await kubectl.RunRawAsync("apply", "-f", edited);
        var created = await kubectl.RunRawAsync("create", "-f", kubectl.WriteFile("new.yaml", """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: shop}}
            """));
        var values = (await kubectl.RunAsync("get", "configmaps", "a", "b", "-n", "shop", "-o", "jsonpath={.items[*].data.k}")).StdOut;
        var (status, swagger) = await sandbox.SendAsync(HttpMethod.Get, "openapi/v2");

        Assert.StartsWith("apiVersion: v1\nitems:\n", saved, StringComparison.Ordinal);
        Assert.True(applied.ExitCode == 0, applied.StdErr);
        // Both gain the last-applied annotation (created by kubectl create), as on a real cluster.
        Assert.Equal("configmap/a configured\nconfigmap/b configured\n", applied.StdOut);
        Assert.Equal((0, "configmap/c created\n"), (created.ExitCode, created.StdOut));
        Assert.Equal("1 3", values);
        Assert.Equal((200, "2.0"), (status, (string?)swagger["swagger"]));
    }
}
