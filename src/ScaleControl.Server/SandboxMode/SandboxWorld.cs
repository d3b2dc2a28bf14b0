using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Options;
using ScaleControl.DingTalk.Configuration;
using ScaleControl.Kubernetes.Resources;
using ScaleControl.Prometheus;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Sandbox.Kubernetes;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Sandbox.Traffic.PrometheusApi;
using ScaleControl.Server.Hosting;
using ScaleControl.Server.Security;

namespace ScaleControl.Server.SandboxMode;

/// <summary>
/// Sandbox mode: the sandbox Kubernetes API, traffic simulator and DingTalk emulator run in this process, and the
/// product's adapters are pointed at them over HTTP — the same code path as against a real cluster.
/// </summary>
public static class SandboxWorld
{
    public const string DingTalkPrefix = SandboxDingTalkExtensions.DefaultPrefix;

    /// <summary>The world's services, registered so the seeding and the banner see the same list.</summary>
    /// <param name="BaseUrl">The product's own address.</param>
    /// <param name="KubernetesApi">The sandbox cluster's API server, on a listener of its own (https).</param>
    /// <param name="Kubeconfig">The kubeconfig for it (admin token, the serving certificate), which the product uses too.</param>
    public sealed record World(Uri BaseUrl, Uri KubernetesApi, string Kubeconfig, DingTalkSandboxOptions DingTalk, IReadOnlyList<SandboxService> Services);

    /// <summary>Pins the server's address and the Kubernetes API's, and registers the sandbox world.</summary>
    public static World AddSandboxWorld(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(SandboxOptions.SectionName).Get<SandboxOptions>() ?? new SandboxOptions();
        var kubernetesApi = ListenAddress.KubernetesApi(builder, settings.KubernetesPort); // before Pin fixes a port-0 address
        var baseUrl = ListenAddress.Pin(builder);
        if (ListenAddress.LoopbackHostNames(builder) is { } hosts)
        {
            builder.Services.Configure<HostFilteringOptions>(o => o.AllowedHosts = hosts);
        }

        // Before anything in the state directory is written (the kubeconfig, the signing key, --reset's deletions).
        var stateLock = SandboxStateLock.Acquire(StateDirectory(settings));
        builder.Services.AddSingleton(_ => stateLock); // made by a factory, so the host disposes (releases) it at shutdown
        var dingTalk = DingTalkSandboxOptions.CreateDefault();
        dingTalk.CallbackTimeout = TimeSpan.FromSeconds(settings.DingTalkCallbackTimeoutSeconds);
        // The emulator's cards and messages are kept beside the cluster, so the cards the product's proposals point at survive a restart too.
        dingTalk.StateDirectory = StateDirectory(settings);
        dingTalk.ResetState = settings.Reset;
        var certificate = SandboxCertificate.Create(TimeProvider.System);
        var kubeconfig = Path.GetFullPath(settings.KubeconfigPath);
        Directory.CreateDirectory(Path.GetDirectoryName(kubeconfig)!);
        SandboxKubeconfig.Write(kubeconfig, kubernetesApi, certificateAuthorityPem: certificate.Pem);
        var world = new World(baseUrl, kubernetesApi, kubeconfig, dingTalk, SandboxCatalog.Tuned(SandboxCatalog.Services(dingTalk, settings), settings));
        builder.Services.AddSingleton(world);
        builder.Services.AddSingleton(certificate);

        // Approvals kept in the durable cluster must still verify after a restart: the key is kept with them.
        var approvals = builder.Configuration.GetSection(ApprovalSigningOptions.SectionName);
        if (string.IsNullOrEmpty(approvals[nameof(ApprovalSigningOptions.SigningKey)]) && string.IsNullOrEmpty(approvals[nameof(ApprovalSigningOptions.SigningKeyFile)]))
        {
            approvals[nameof(ApprovalSigningOptions.SigningKeyFile)] = SandboxApprovalKey.Ensure(StateDirectory(settings), settings.Reset);
        }

        builder.Services.AddSandboxKubernetes(o =>
        {
            o.PodStartupDelay = TimeSpan.FromSeconds(settings.PodStartupSeconds);
            o.TerminatedPodGcThreshold = settings.TerminatedPodGcThreshold;
            o.StateDirectory = StateDirectory(settings);
            o.ResetState = settings.Reset;
            o.RequireExistingNamespaces = true; // as a real cluster: a create in a missing namespace is 404, apply makes none
            o.Nodes.Clear();
            foreach (var node in SandboxNode.Defaults(settings.Nodes, settings.NodeCpu, settings.NodeMemory))
            {
                o.Nodes.Add(node);
            }
        });
        builder.Services.AddSandboxKubernetesListener(kubernetesApi, certificate);
        builder.Services.AddSandboxDingTalk(dingTalk);
        builder.Services.AddSandboxTraffic(o =>
        {
            o.Services = SandboxCatalog.Traffic(world.Services, settings.FlatTraffic);
            o.NoiseFraction = settings.FlatTraffic ? 0 : o.NoiseFraction;
            o.DemoMode = settings.DemoHotEvents;
            o.TracesDirectory = settings.TracesDirectory ?? Path.Combine(AppContext.BaseDirectory, "traces");
            // Hot events, pushes and replays are kept beside the cluster: a restart plays them on where they were.
            o.StateDirectory = StateDirectory(settings);
            o.ResetState = settings.Reset;
        });

        // The product's Prometheus adapter reads the simulator's query API unless a Prometheus was configured.
        builder.Services.PostConfigure<PrometheusOptions>(o => o.Url ??= new Uri(baseUrl, PrometheusQueryEndpoints.Prefix.TrimStart('/') + "/"));

        // The product's DingTalk client talks to the emulator unless DingTalk was configured explicitly.
        builder.Services.Configure<DingTalkOptions>(o =>
        {
            if (!string.IsNullOrEmpty(o.AppKey))
            {
                return;
            }

            var app = dingTalk.Apps[0];
            var emulator = new Uri(baseUrl, DingTalkPrefix.TrimStart('/'));
            o.ApiBaseUrl = emulator;
            o.OapiBaseUrl = emulator;
            o.AppKey = app.AppKey;
            o.AppSecret = app.AppSecret;
            o.RobotCode = app.RobotCode;
            o.CardTemplateId = SandboxCardTemplate.ScaleApprovalId;
            o.CallbackMode = DingTalkCallbackMode.Stream;
            o.DetailsBaseUrl ??= baseUrl;
            o.NoticeConversationId ??= dingTalk.Groups[0].OpenConversationId;
            foreach (var user in dingTalk.Users)
            {
                o.UserNames.TryAdd(user.UserId, user.Name);
            }
        });
        return world;
    }

    /// <summary>Mounts the sandbox APIs and seeds the world; prints where to go once listening.</summary>
    public static WebApplication MapSandboxWorld(this WebApplication app)
    {
        app.MapSandboxKubernetesControl();
        app.MapSandboxDingTalk(DingTalkPrefix);
        app.MapSandboxTraffic();

        var world = app.Services.GetRequiredService<World>();
        var settings = app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        var cluster = app.Services.GetRequiredService<SandboxKubernetesControl>();
        Seed(cluster, world, app.Services.GetRequiredService<TrafficSimulator>(), settings.Seed);

        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(Banner(world, world.Kubeconfig, StateDirectory(settings), cluster.Restored)));
        return app;
    }

    /// <summary>Where the sandbox cluster's state is kept: the setting, else the kubeconfig's folder.</summary>
    public static string StateDirectory(SandboxOptions settings) =>
        Path.GetFullPath(settings.StateDirectory ?? Path.GetDirectoryName(Path.GetFullPath(settings.KubeconfigPath))!);

    /// <summary>
    /// The seeded services' terminationGracePeriodSeconds: what a service of short requests declares to drain them
    /// (the default is 30). A StatefulSet recreates a deleted ordinal, and a scale-up right after a scale-down gets it
    /// back, only once its pod is gone.
    /// </summary>
    private const int DemoGracePeriodSeconds = 10;

    /// <summary>
    /// How long the seeded services take to exit on SIGTERM (their containers' SANDBOX_SHUTDOWN_SECONDS), as a service
    /// finishing its in-flight short requests does: a scale-down's pods show Terminating for 2 s, then Completed.
    /// </summary>
    private const int DemoShutdownSeconds = 2;

    private static void Seed(SandboxKubernetesControl cluster, World world, TrafficSimulator traffic, bool services)
    {
        foreach (var crd in ReadCrds())
        {
            cluster.Seed(crd);
        }

        if (cluster.Restored)
        {
            return; // a restart keeps the world as it was left (the CRDs above are brought up to this version)
        }

        foreach (var ns in world.Services.Select(s => s.Namespace).Append("scalecontrol-system").Distinct())
        {
            cluster.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        }

        if (!services)
        {
            return;
        }

        var demand = traffic.Status().ToDictionary(s => $"{s.Namespace}/{s.Workload}", s => s.Conditions.DemandQps);
        foreach (var service in world.Services)
        {
            // A running service is sized for the traffic it has now; the demo starts calm and a hot event makes it move.
            var spec = service.Policy.Spec;
            var perPod = spec.Metrics[0].Target;
            var replicas = Math.Clamp((int)Math.Ceiling(demand.GetValueOrDefault($"{service.Namespace}/{service.Name}") / perPod), spec.MinReplicas, spec.MaxReplicas);
            if (service.Hpa is { } hpa)
            {
                replicas = Math.Max(replicas, hpa.Min);
            }

            if (service.Kind == Core.Policies.TargetRef.StatefulSetKind)
            {
                // Parallel, as autoscaled StatefulSets often declare: a hot event's new pods start together, as a
                // Deployment's do, not one after another (OrderedReady's ~5 s a pod).
                cluster.SeedStatefulSet(service.Namespace, service.Name, replicas, replicas, requests: service.Requests, podManagementPolicy: "Parallel",
                    terminationGracePeriodSeconds: DemoGracePeriodSeconds, shutdownSeconds: DemoShutdownSeconds);
            }
            else
            {
                cluster.SeedDeployment(service.Namespace, service.Name, replicas, replicas, requests: service.Requests,
                    terminationGracePeriodSeconds: DemoGracePeriodSeconds, shutdownSeconds: DemoShutdownSeconds);
            }

            if (service.Hpa is { } bounds)
            {
                cluster.SeedHorizontalPodAutoscaler(service.Namespace, service.Name, service.Name, Math.Max(bounds.Min, replicas), bounds.Max);
            }

            cluster.Seed(JsonSerializer.SerializeToNode(service.Policy, CustomResourceJson.Options)!.AsObject());
        }
    }

    private static IEnumerable<string> ReadCrds()
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("crds/", StringComparison.Ordinal)).Order())
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return reader.ReadToEnd();
        }
    }

    private static string Banner(World world, string kubeconfig, string state, bool restored)
    {
        var kept = restored
            ? $"restored from {state}/cluster.db and dingtalk.db (start with --reset for a fresh world)"
            : $"kept in {state}/cluster.db and dingtalk.db across restarts (--reset starts fresh)";
        var b = world.BaseUrl.ToString().TrimEnd('/');
        return $$"""

            ScaleControl is running in SANDBOX mode (no cluster configured) on {{b}}

              Dashboard         {{b}}/
              DingTalk phone    {{b}}{{DingTalkPrefix}}/phone        (be zhangsan or lisi to approve; wangwu is not an approver)
              Chat              type "@ScaleControl help" on the phone, or POST {{b}}{{DingTalkPrefix}}/messages {"from":"zhangsan","conversationId":"cidSandboxOnCall0001==","text":"@ScaleControl status"}
              REST API          {{b}}/api/v1   (OpenAPI: {{b}}/openapi/v1.json)
              Metrics           {{b}}/metrics
              Kubernetes API    {{world.KubernetesApi.ToString().TrimEnd('/')}}   (the sandbox cluster's own listener; TLS with the kubeconfig's certificate)
              kubectl           kubectl --kubeconfig {{kubeconfig}} get deploy,sts,hpa,scalepolicies -A
              Cluster state     {{kept}}

              Demo tokens       sandbox-admin (admin)   sandbox-zhangsan (operator: shop, feed, video)   sandbox-viewer (viewer)

              Try a hot event:
                curl -s -X POST {{b}}/sandbox/traffic/hot-events -H 'Content-Type: application/json' \
                  -d '{"namespace":"shop","workload":"checkout-api","multiplier":4,"rampSeconds":20,"holdSeconds":600}'
                curl -s {{b}}/api/v1/proposals -H 'Authorization: Bearer sandbox-viewer'

              Capacity before the traffic: a push to 500k users; the pushes count at once, the opens follow ~100 s later
                curl -s -X POST {{b}}/sandbox/traffic/pushes -H 'Content-Type: application/json' \
                  -d '{"namespace":"shop","workload":"checkout-api","recipients":500000}'

              A hot event on a call chain (one card for the three, Approve all):
                for w in feed-gateway feed-api feed-comments; do curl -s -X POST {{b}}/sandbox/traffic/hot-events \
                  -H 'Content-Type: application/json' -d "{\"namespace\":\"feed\",\"workload\":\"$w\",\"multiplier\":4,\"rampSeconds\":180,\"holdSeconds\":600}"; done

            """;
    }
}
