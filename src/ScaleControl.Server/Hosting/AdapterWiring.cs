using ScaleControl.Core.Commands;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk;
using ScaleControl.DingTalk.Callbacks;
using ScaleControl.Kubernetes;
using ScaleControl.Prometheus;
using ScaleControl.Server.SandboxMode;

namespace ScaleControl.Server.Hosting;

/// <summary>
/// Puts the adapters behind the ports. Cluster mode: Kubernetes from kubeconfig or in-cluster, Prometheus and
/// DingTalk from configuration. Sandbox mode: the sandbox world in this process, the Kubernetes adapters pointed at
/// the sandbox's own Kubernetes API listener (https on port 6443 by default) through the kubeconfig it writes, DingTalk at the emulator, and the Prometheus adapter at the simulator's
/// Prometheus-compatible API (<c>{own base URL}/sandbox/prometheus</c>) — unless <c>ScaleControl:Prometheus:Url</c>
/// is set, then PromQL against that Prometheus. Both modes read metrics through the same adapter.
/// </summary>
public static class AdapterWiring
{
    public const string KubernetesSection = "ScaleControl:Kubernetes";

    public static WebApplicationBuilder AddScaleControlAdapters(this WebApplicationBuilder builder, ServerMode mode)
    {
        var configuration = builder.Configuration;
        var kubernetes = configuration.GetSection(KubernetesSection);
        string? sandboxKubeconfig = null;
        if (mode == ServerMode.Sandbox)
        {
            sandboxKubeconfig = builder.AddSandboxWorld().Kubeconfig;
        }

        // In sandbox mode the adapters call this server: their background work waits until it listens.
        Action<IServiceCollection, Action<IServiceCollection>> add = sandboxKubeconfig is null ? (s, r) => r(s) : StartAfterServer.Wrap;
        add(builder.Services, s => s.AddScaleControlKubernetes(o =>
        {
            kubernetes.Bind(o);
            if (string.IsNullOrWhiteSpace(o.LeaderElection.Identity))
            {
                // ScaleControl:Identity names the replica; the leader-election setting, when given, is more specific.
                o.LeaderElection.Identity = configuration[$"{ServerOptions.SectionName}:{nameof(ServerOptions.Identity)}"];
            }

            if (sandboxKubeconfig is not null && string.IsNullOrWhiteSpace(o.Host) && string.IsNullOrWhiteSpace(o.KubeconfigPath))
            {
                o.KubeconfigPath = sandboxKubeconfig; // the admin's, as kubectl uses it: TLS with the sandbox's certificate

                // One process owns the sandbox: no lease to contend for unless asked for explicitly.
                o.LeaderElection.Enabled = kubernetes.GetValue<bool?>("LeaderElection:Enabled") ?? false;
            }
        }));
        if (IsDingTalkEnabled(configuration, mode))
        {
            add(builder.Services, s => s.AddScaleControlDingTalk(configuration));
        }
        else
        {
            builder.Services.AddSingleton<DingTalkDisabled>();
            builder.Services.AddSingleton<IApprovalNotifier>(sp => sp.GetRequiredService<DingTalkDisabled>());
            builder.Services.AddSingleton<INoticePublisher>(sp => sp.GetRequiredService<DingTalkDisabled>());
            builder.Services.AddSingleton<IFaultNotifier>(sp => sp.GetRequiredService<DingTalkDisabled>());
            builder.Services.AddSingleton<IConfirmationCards>(sp => sp.GetRequiredService<DingTalkDisabled>());
        }

        builder.Services.AddScaleControlPrometheus(configuration);

        return builder;
    }

    public static WebApplication MapScaleControlAdapters(this WebApplication app, ServerMode mode)
    {
        if (IsDingTalkEnabled(app.Configuration, mode))
        {
            app.MapDingTalkCardCallback();
        }

        if (mode == ServerMode.Sandbox)
        {
            app.MapSandboxWorld();
        }

        return app;
    }

    /// <summary><c>ScaleControl:DingTalk:Enabled</c> (default true); the sandbox always has its emulator.</summary>
    private static bool IsDingTalkEnabled(IConfiguration configuration, ServerMode mode) =>
        mode == ServerMode.Sandbox || (configuration.GetValue<bool?>("ScaleControl:DingTalk:Enabled") ?? true);
}
