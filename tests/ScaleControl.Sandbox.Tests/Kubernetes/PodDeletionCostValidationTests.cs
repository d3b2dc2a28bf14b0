using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// The apiserver's check of <c>controller.kubernetes.io/pod-deletion-cost</c> (ValidatePodSpecificAnnotations), with
/// real kubectl: on a pod and on a workload's pod template it must be a 32-bit integer without a plus sign or leading
/// zeros, else the write is the 422 with upstream's words.
/// </summary>
public sealed class PodDeletionCostValidationTests
{
    private const string Key = "controller.kubernetes.io/pod-deletion-cost";

    [Theory]
    [InlineData("abc")]
    [InlineData("+5")]
    [InlineData("007")]
    [InlineData("1.5")]
    [InlineData("2147483648")]
    [InlineData("")]
    public async Task AnnotatePod_WithAValueThatIsNoInt32_IsRefusedWithTheApiserversMessage(string value)
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 1);
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;

        var refused = await kubectl.RunRawAsync("annotate", "pod", pod, "-n", "shop", $"{Key}={value}");
        var stored = (await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.metadata.annotations}")).StdOut;

        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"The Pod \"{pod}\" is invalid: metadata.annotations[{Key}]: Invalid value: \"{value}\": must be a 32bit integer", refused.StdErr.Trim());
        Assert.Equal("", stored);
    }

    [Theory]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("2147483647")]
    [InlineData("-2147483648")]
    public async Task AnnotatePod_WithAnInt32_IsStored(string value)
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = await RolloutSandbox.RunningAsync(sandbox, "web", 1);
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;

        await kubectl.RunAsync("annotate", "pod", pod, "-n", "shop", $"{Key}={value}");

        var annotations = (await kubectl.RunAsync("get", "pod", pod, "-n", "shop", "-o", "jsonpath={.metadata.annotations}")).StdOut;

        Assert.Equal($"{{\"{Key}\":\"{value}\"}}", annotations);
    }

    [Fact]
    public async Task ApplyDeployment_WhoseTemplateHasABadDeletionCost_IsRefusedOnTheTemplatesAnnotations()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");

        var refused = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("web.yaml", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata:
                  labels: {app: web}
                  annotations: {{{{Key}}}: "high"}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
            """));
        var deployments = await kubectl.RunAsync("get", "deploy", "-n", "shop", "-o", "name");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"The Deployment \"web\" is invalid: spec.template.annotations[{Key}]: Invalid value: \"high\": must be a 32bit integer", refused.StdErr, StringComparison.Ordinal);
        Assert.Equal("", deployments.StdOut.Trim());
    }
}
