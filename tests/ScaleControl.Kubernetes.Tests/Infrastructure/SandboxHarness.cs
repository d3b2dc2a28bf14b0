using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;

namespace ScaleControl.Kubernetes.Tests.Infrastructure;

/// <summary>A sandbox API server on 127.0.0.1:0 with ScaleControl's CRDs installed, and ScaleControl replicas against it.</summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private readonly List<ScaleControlNode> _nodes = [];

    private SandboxHarness(SandboxKubernetesServer server) => Server = server;

    /// <summary>charts/scalecontrol/crds/*.yaml, copied next to the tests.</summary>
    public static string[] CrdFiles => Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "crds"), "*.yaml");

    public SandboxKubernetesServer Server { get; }

    public SandboxKubernetesControl Control => Server.Control;

    /// <summary>Starts a sandbox; the controller loop is off unless asked for, so resourceVersions only move when a test writes.</summary>
    public static async Task<SandboxHarness> StartAsync(Action<SandboxKubernetesOptions>? configure = null, bool installCrds = true)
    {
        var server = await SandboxKubernetesServer.StartAsync(o =>
        {
            o.RunControllerLoop = false;
            o.BookmarkInterval = TimeSpan.FromSeconds(1);
            configure?.Invoke(o);
        });
        foreach (var crd in installCrds ? CrdFiles : [])
        {
            server.Control.Seed(File.ReadAllText(crd));
        }

        return new SandboxHarness(server);
    }

    /// <summary>A ScaleControl replica: its own IKubernetes, caches and stores, like a second pod.</summary>
    public ScaleControlNode CreateNode(Action<KubernetesOptions>? configure = null)
    {
        var node = new ScaleControlNode(Server.BaseUri, configure);
        _nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        // Work-around (reported to k8s-sandbox): stopping the sandbox host sometimes waits out the 30 s host shutdown
        // timeout for a watch request whose client is gone. The test is done; let the host finish stopping alone.
        var stopping = Server.DisposeAsync().AsTask();
        if (await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(2))) != stopping)
        {
            _ = stopping.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }
}
