using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>
/// Switching a Deployment to Recreate as on a real 1.32 cluster: the apiserver refuses a Recreate strategy that still
/// carries the defaulted rollingUpdate (what a merge patch or a forced server-side apply of <c>type: Recreate</c> leaves: the
/// creator still owns rollingUpdate), and
/// client-side <c>kubectl apply</c> gets through because its strategic merge patch says <c>$retainKeys</c>. Real kubectl
/// 1.32.4.
/// </summary>
public sealed class DeploymentStrategyTests
{
    private const string Forbidden =
        "The Deployment \"web\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'\n";

    private static string Manifest(string strategy) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          replicas: 2
          {{{strategy}}}
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "nginx:1.27"}]}
        """;

    [Fact]
    public async Task MergePatchToRecreate_KeepsTheDefaultedRollingUpdate_AndIsRefused()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx:1.27");

        var merge = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "--type=merge", "-p", """{"spec":{"strategy":{"type":"Recreate"}}}""");
        var serverSide = await kubectl.RunRawAsync("apply", "--server-side", "--force-conflicts", "-f", kubectl.WriteFile("ssa.yaml", Manifest("strategy: {type: Recreate}")));
        var cleared = await kubectl.RunAsync("patch", "deploy", "web", "-n", "shop", "--type=merge", "-p", """{"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}""");
        var strategy = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.strategy}")).StdOut;

        Assert.Equal((1, Forbidden), (merge.ExitCode, merge.StdErr));
        Assert.Equal(1, serverSide.ExitCode);
        Assert.Contains("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'", serverSide.StdErr, StringComparison.Ordinal);
        Assert.Equal("deployment.apps/web patched\n", cleared.StdOut);
        Assert.Equal("""{"type":"Recreate"}""", strategy);
    }

    [Fact]
    public async Task ClientSideApplyToRecreate_RetainsOnlyTheType()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("rolling.yaml", Manifest("strategy: {rollingUpdate: {maxSurge: 1}}")));

        var applied = await kubectl.RunRawAsync("apply", "-f", kubectl.WriteFile("recreate.yaml", Manifest("strategy: {type: Recreate}")));
        var strategy = (await kubectl.RunAsync("get", "deploy", "web", "-n", "shop", "-o", "jsonpath={.spec.strategy}")).StdOut;

        Assert.True(applied.ExitCode == 0, applied.StdErr);
        Assert.Equal("deployment.apps/web configured\n", applied.StdOut);
        Assert.Equal("""{"type":"Recreate"}""", strategy);
    }

    [Fact]
    public async Task RollingUpdate_BothBoundsZeroOrOverAHundredPercent_IsInvalid()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        await kubectl.RunAsync("create", "namespace", "shop");
        await kubectl.RunAsync("create", "deployment", "web", "-n", "shop", "--image=nginx:1.27");

        var zero = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}}}}""");
        var over = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":"150%"}}}}""");
        var negative = await kubectl.RunRawAsync("patch", "deploy", "web", "-n", "shop", "-p", """{"spec":{"strategy":{"rollingUpdate":{"maxSurge":-1}}}}""");

        Assert.Equal("The Deployment \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0\n", zero.StdErr);
        Assert.Equal("The Deployment \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%\n", over.StdErr);
        Assert.Equal("The Deployment \"web\" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0\n", negative.StdErr);
    }
}
