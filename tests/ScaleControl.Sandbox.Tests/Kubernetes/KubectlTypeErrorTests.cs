using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// A value the field's type cannot hold is refused with the apiserver's words, whichever way kubectl sends it, and
/// nothing is stored: a Deployment with <c>replicas: "x"</c> would break every typed client listing deployments.
/// </summary>
public sealed class KubectlTypeErrorTests
{
    private const string BadDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec:
          replicas: "two"
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec:
              containers: [{name: api, image: "api:1"}]
        """;

    [Fact]
    public async Task Apply_ReplicasAsString_BadRequestNamingTheGoField()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.Seed("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var result = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("bad.yaml", BadDeployment));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            "Error from server (BadRequest): error when creating \"" + kubectl.WriteFile("bad.yaml", BadDeployment) + "\": Deployment in version \"v1\" cannot be handled as a Deployment: "
            + "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
            result.StdErr.Trim());
        Assert.Null(sandbox.Control.Get("apps/v1", "Deployment", "shop", "api"));
    }

    [Fact]
    public async Task Patch_WrongTypes_InvalidPatchAndTheDeploymentUnchanged()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var version = sandbox.Control.ResourceVersion;

        var strategic = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"replicas":"x"}}""");
        var merge = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--type=merge", "-p", """{"spec":{"paused":"yes"}}""");
        var scale = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--subresource=scale", "--type=merge", "-p", """{"spec":{"replicas":"x"}}""");

        Assert.Equal((1, "The request is invalid: patch: Invalid value: \"map[spec:map[replicas:x]]\": unrecognized type: int32"), (strategic.ExitCode, strategic.StdErr.Trim()));
        Assert.Equal(1, merge.ExitCode);
        Assert.StartsWith("The request is invalid: patch: Invalid value: \"{", merge.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("}\": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool", merge.StdErr.Trim(), StringComparison.Ordinal);
        Assert.Equal(1, scale.ExitCode);
        Assert.EndsWith("json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas of type int32", scale.StdErr.Trim(), StringComparison.Ordinal);
        Assert.Equal(3, (int)sandbox.Control.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]!);
        Assert.Equal(version, sandbox.Control.ResourceVersion);
    }

    [Fact]
    public async Task PatchJson_PathThatDoesNotExist_TheApiserversGeneric422()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 3);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);

        var missing = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--type=json", "-p", """[{"op":"remove","path":"/spec/template/spec/affinity"}]""");
        var failedTest = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--type=json", "-p", """[{"op":"test","path":"/spec/replicas","value":9}]""");
        var notAList = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--type=json", "-p", """{"op":"add"}""");

        const string Generic = "The request is invalid: the server rejected our request due to an error in our request";
        Assert.Equal((1, Generic, 1, Generic), (missing.ExitCode, missing.StdErr.Trim(), failedTest.ExitCode, failedTest.StdErr.Trim()));
        Assert.Equal((1, "Error from server (BadRequest): json: cannot unmarshal object into Go value of type jsonpatch.Patch"), (notAList.ExitCode, notAList.StdErr.Trim()));
    }
}
