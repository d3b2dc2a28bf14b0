using ScaleControl.EndToEnd.Tests.Infrastructure;

namespace ScaleControl.EndToEnd.Tests;

/// <summary>The sandbox cluster keeps its state on disk like etcd: a kill -9 and a restart keep it, --reset starts fresh.</summary>
public sealed class DurableSandboxTests
{
    [Fact]
    public async Task KillNineAndRestart_KeepsObjects_ResetStartsFresh()
    {
        var first = await SandboxServer.StartAsync(Fast.Settings());
        var directory = first.WorkingDirectory;
        await Kubectl.RunAsync(first.Kubeconfig, "create", "namespace", "team");
        await Kubectl.RunAsync(first.Kubeconfig, "create", "deployment", "api", "-n", "team", "--image=api:1", "--replicas=4");
        await Kubectl.RunAsync(first.Kubeconfig, "create", "configmap", "settings", "-n", "team", "--from-literal=mode=fast");
        var deploymentUid = await Kubectl.RunAsync(first.Kubeconfig, "get", "deployment", "api", "-n", "team", "-o", "jsonpath={.metadata.uid}");
        var policyUid = await Kubectl.RunAsync(first.Kubeconfig, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");
        await first.KillAsync();

        var second = await SandboxServer.StartAsync(Fast.Settings(), directory);
        var keptDeployment = await Kubectl.RunAsync(second.Kubeconfig, "get", "deployment", "api", "-n", "team", "-o", "jsonpath={.metadata.uid} {.spec.replicas}");
        var keptSetting = await Kubectl.RunAsync(second.Kubeconfig, "get", "configmap", "settings", "-n", "team", "-o", "jsonpath={.data.mode}");
        var keptPolicy = await Kubectl.RunAsync(second.Kubeconfig, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");
        var restoredBanner = second.Output;
        await second.KillAsync();

        await using var third = await SandboxServer.StartAsync(Fast.Settings(), directory, ["--reset"]);
        var afterReset = await Kubectl.RunAsync(third.Kubeconfig, "get", "deployments", "-n", "team", "-o", "name");
        var reseededPolicy = await Kubectl.RunAsync(third.Kubeconfig, "get", "scalepolicy", "checkout-api", "-n", "shop", "-o", "jsonpath={.metadata.uid}");

        Assert.Equal($"{deploymentUid} 4", keptDeployment);
        Assert.Equal("fast", keptSetting);
        Assert.Equal(policyUid, keptPolicy);
        Assert.Contains("restored from", restoredBanner, StringComparison.Ordinal);
        Assert.Equal("", afterReset.Trim());
        Assert.NotEqual(policyUid, reseededPolicy);
    }
}
