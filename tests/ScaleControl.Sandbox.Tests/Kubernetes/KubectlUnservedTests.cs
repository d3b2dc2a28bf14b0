using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Sandbox.Tests.Kubernetes;

/// <summary>What a kubelet would serve (exec, cp, port-forward; logs are simulated, KubectlLogsTests): the sandbox runs no containers, so kubectl fails at once and says so.</summary>
public sealed class KubectlUnservedTests
{
    [Fact]
    public async Task ExecCpPortForward_FailFastNamingWhatIsNotServed()
    {
        await using var sandbox = await SandboxHarness.StartAsync(fakeTime: true);
        sandbox.Control.SeedDeployment("shop", "web", 1, readyReplicas: 1);
        sandbox.Control.ReconcileNow();
        using var kubectl = new Kubectl(sandbox.Server.BaseUri);
        var pod = (await kubectl.RunAsync("get", "pods", "-n", "shop", "-o", "jsonpath={.items[0].metadata.name}")).StdOut;

        var exec = await kubectl.RunRawAsync("exec", pod, "-n", "shop", "--", "ls");
        var copy = await kubectl.RunRawAsync("cp", $"{pod}:/etc/hosts", kubectl.WriteFile("hosts", ""), "-n", "shop");
        var forward = await kubectl.RunRawAsync("port-forward", pod, "19999:80", "-n", "shop");

        var suffix = $"is not served by the ScaleControl sandbox cluster: it runs no containers or kubelets (pods \"{pod}\")";
        Assert.Equal((1, $"Error from server (BadRequest): pods/exec {suffix}"), (exec.ExitCode, exec.StdErr.Trim()));
        Assert.Equal((1, $"Error from server (BadRequest): pods/exec {suffix}"), (copy.ExitCode, copy.StdErr.Trim()));
        Assert.Equal((1, $"error: error upgrading connection: pods/portforward {suffix}"), (forward.ExitCode, forward.StdErr.Trim()));
    }
}
