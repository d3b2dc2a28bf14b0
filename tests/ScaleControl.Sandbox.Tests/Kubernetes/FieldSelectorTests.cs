using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>Field selectors accept only the labels the apiserver supports for the kind.</summary>
public sealed class FieldSelectorTests
{
    [Fact]
    public async Task Kubectl_UnsupportedFieldLabel_Is400WithTheApiserversMessage()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var rejected = await kubectl.RunRawAsync("get", "deploy", "-n", "shop", "--field-selector", "spec.replicas=1");

        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("field label not supported: spec.replicas", rejected.StdErr, StringComparison.Ordinal);
        var (status, body) = await sandbox.SendAsync(HttpMethod.Get, "/api/v1/pods?fieldSelector=spec.replicas%3D1");
        Assert.Equal(400, status);
        Assert.Equal("BadRequest", (string)body["reason"]!);
        Assert.Equal("field label not supported: spec.replicas", (string)body["message"]!);
    }

    [Fact]
    public async Task Kubectl_SupportedFieldLabels_Filter()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1);
        sandbox.Control.SeedDeployment("shop", "api", 1);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var byName = await kubectl.RunAsync("get", "deploy", "-A", "--no-headers", "--field-selector", "metadata.name=api,metadata.namespace=shop", "-o", "name");
        var events = await kubectl.RunAsync("get", "events", "-A", "--field-selector", "involvedObject.kind=Deployment,type=Normal,reason=x,source=y", "-o", "name");

        Assert.Equal("deployment.apps/api", byName.StdOut.Trim());
        Assert.Equal("", events.StdOut.Trim());
    }
}
