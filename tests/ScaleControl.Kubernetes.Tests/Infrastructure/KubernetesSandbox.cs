using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Testing.Kubernetes;

namespace ScaleControl.Kubernetes.Tests.Infrastructure;

/// <summary>The shared sandbox harness as the adapter tests use it: CRDs installed, ScaleControl replicas against it.</summary>
internal static class KubernetesSandbox
{
    /// <summary>Starts a sandbox; the controller loop is off unless asked for, so resourceVersions only move when a test writes.</summary>
    public static Task<SandboxHarness> StartAsync(Action<SandboxKubernetesOptions>? configure = null, bool installCrds = true) =>
        SandboxHarness.StartAsync(o =>
        {
            o.RunControllerLoop = false;
            o.BookmarkInterval = TimeSpan.FromSeconds(1);
            configure?.Invoke(o);
        }, installCrds: installCrds);

    /// <summary>
    /// A ScaleControl replica: its own IKubernetes, caches and stores, like a second pod. With <paramref name="time"/>
    /// its clock (client-side rate limit, retry waits, watch timeouts) is that one; the sandbox keeps real time.
    /// </summary>
    public static ScaleControlNode CreateNode(this SandboxHarness sandbox, Action<KubernetesOptions>? configure = null, TimeProvider? time = null) =>
        sandbox.Own(new ScaleControlNode(sandbox.Server.BaseUri, configure, time));
}
