using System.Text.Json.Nodes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A body of another kind than the URL's resource is refused as the apiserver refuses it (its decoder cannot convert
/// the body's kind to the URL's), never stored as the URL's kind.
/// </summary>
public sealed class BodyKindTests
{
    private const string Service = """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},"spec":{"ports":[{"port":80}]}}
        """;

    [Fact]
    public async Task RawCreate_OfAServiceAtTheConfigMapsUrl_Is400CannotBeHandledAsAConfigMap()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunRawAsync("create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", kubectl.WriteFile("svc.json", Service));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("""Service in version "v1" cannot be handled as a ConfigMap: converting (v1.Service) to (core.ConfigMap): unknown conversion""",
            result.StdErr, StringComparison.Ordinal);
        Assert.Null(sandbox.Control.Get("v1", "ConfigMap", "default", "web"));
        Assert.Null(sandbox.Control.Get("v1", "Service", "default", "web"));
    }

    [Fact]
    public async Task CreateAndReplace_OfAnotherGroupsOrAnUnknownKind_Are400AndStoreNothing()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("default", "web", 2);
        var before = sandbox.Control.ResourceVersion;

        var (deploymentAsConfigMap, deploymentBody) = await sandbox.SendAsync(HttpMethod.Post, "api/v1/namespaces/default/configmaps",
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}""");
        var (typo, typoBody) = await sandbox.SendAsync(HttpMethod.Post, "api/v1/namespaces/default/configmaps",
            """{"apiVersion":"v1","kind":"configmap","metadata":{"name":"settings"}}""");
        var (replace, replaceBody) = await sandbox.SendAsync(HttpMethod.Put, "apis/apps/v1/namespaces/default/deployments/web",
            """{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"}}""");

        Assert.Equal((400, "BadRequest"), (deploymentAsConfigMap, (string?)deploymentBody["reason"]));
        Assert.Equal("""Deployment in version "v1" cannot be handled as a ConfigMap: converting (v1.Deployment) to (core.ConfigMap): unknown conversion""",
            (string?)deploymentBody["message"]);
        Assert.Equal(400, typo);
        Assert.Equal("configmap in version \"v1\" cannot be handled as a ConfigMap: no kind \"configmap\" is registered for version \"v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"",
            (string?)typoBody["message"]);
        Assert.Equal(400, replace);
        Assert.Equal("""StatefulSet in version "v1" cannot be handled as a Deployment: converting (v1.StatefulSet) to (apps.Deployment): unknown conversion""",
            (string?)replaceBody["message"]);
        Assert.Equal(before, sandbox.Control.ResourceVersion);
    }

    [Fact]
    public async Task Create_OfAnotherKindOfTheCustomResourcesGroup_Is422OnKind()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed(RouteCrd.With("""{"host":{"type":"string"}}"""));

        var (status, body) = await sandbox.SendAsync(HttpMethod.Post, "apis/example.io/v1/namespaces/default/routes",
            """{"apiVersion":"example.io/v1","kind":"Gateway","metadata":{"name":"edge"},"spec":{"host":"a"}}""");

        Assert.Equal(422, status);
        Assert.Equal("""Gateway.example.io "edge" is invalid: kind: Invalid value: "Gateway": must be Route""", (string?)body["message"]);
        Assert.Equal("kind", (string?)body["details"]!["causes"]![0]!["field"]);
        Assert.Null(sandbox.Control.Get("example.io/v1", "Route", "default", "edge"));
    }
}
