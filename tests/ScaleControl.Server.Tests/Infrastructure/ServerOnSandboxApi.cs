using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>
/// The real server and Kubernetes adapters against a sandbox API server (its controller loop off), with workloads
/// seeded at 4 ready replicas, and the real kubectl for the writes someone makes by hand (an attacker's, in the security tests).
/// </summary>
public sealed class ServerOnSandboxApi : IAsyncDisposable
{
    private ServerOnSandboxApi(SandboxHarness sandbox)
    {
        Sandbox = sandbox;
        Kubectl = new Kubectl(sandbox.Server);
        Server = new ServerFactory { KubernetesApi = sandbox.Server.BaseUri };
    }

    public SandboxHarness Sandbox { get; }

    public ServerFactory Server { get; }

    public Kubectl Kubectl { get; }

    /// <summary>Starts the sandbox API server with the CRDs installed and seeds a Deployment for each of <paramref name="workloads"/>.</summary>
    public static async Task<ServerOnSandboxApi> StartAsync(string @namespace, params string[] workloads)
    {
        var sandbox = await SandboxHarness.StartAsync(o => o.RunControllerLoop = false, installCrds: true);
        foreach (var workload in workloads)
        {
            sandbox.Control.SeedDeployment(@namespace, workload, replicas: 4, readyReplicas: 4);
        }

        return new ServerOnSandboxApi(sandbox);
    }

    public async ValueTask DisposeAsync()
    {
        Kubectl.Dispose();
        await Server.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
