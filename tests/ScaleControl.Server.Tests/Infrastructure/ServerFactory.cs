using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ScaleControl.Core.Commands;
using ScaleControl.Core.Policies;
using ScaleControl.Core.Ports;
using ScaleControl.DingTalk.Stream;
using ScaleControl.Server.Control.Actuation;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Testing.DingTalk;
using ScaleControl.Testing.Stores;

namespace ScaleControl.Server.Tests.Infrastructure;

/// <summary>
/// The real server (Program, endpoints, auth, control plane) in cluster mode with every port replaced by an
/// in-memory fake and time by a <see cref="FakeTimeProvider"/>. No hosted service runs (but the DingTalk Stream client,
/// with <see cref="DingTalk"/> set): tests drive the loop tick by tick.
/// </summary>
public sealed class ServerFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "t-admin-0001";
    public const string ViewerToken = "t-viewer-0001";
    public const string ShopOperatorToken = "t-operator-shop";
    public const string ZhangsanToken = "t-zhangsan";
    public const string LisiToken = "t-lisi";
    public const string WangwuToken = "t-wangwu";
    public const string SigningKey = "test-approval-signing-key-0123456789abcdef";

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
    public InMemoryPolicyStore Policies { get; }
    public InMemoryProposalStore Proposals { get; }
    public FakeWorkloads Workloads { get; } = new();
    public FakeClusterCapacity Cluster { get; } = new();
    public FakeMetrics Metrics { get; }
    public RecordingNotifier Cards { get; } = new();
    public RecordingNotices Notices { get; } = new();
    public RecordingFaults Faults { get; } = new();
    public RecordingEvents Events { get; } = new();

    /// <summary>The used-approval ledger when the Kubernetes adapters are not used (with <see cref="KubernetesApi"/>, Events in the sandbox).</summary>
    public MemoryUsedApprovalLedger UsedApprovals { get; } = new(); // kept by a restart, as the cluster keeps it

    public CapturedLogs Logs { get; } = new();

    public RecordingConfirmationCards ConfirmationCards { get; } = new();

    /// <summary>Read metrics through the real Prometheus adapter from this address instead of <see cref="Metrics"/> (set before first use).</summary>
    public Uri? PrometheusUrl { get; set; }

    /// <summary>
    /// Send cards to this DingTalk emulator and take its taps over Stream, through the real DingTalk adapter, instead of
    /// recording them in <see cref="Cards"/> (set before first use).
    /// </summary>
    public DingTalkEmulator? DingTalk { get; set; }

    /// <summary>Who leads as this replica sees it (default: this replica, <see cref="FixedLeadership"/>; set before first use).</summary>
    public ILeadership? Leadership { get; set; }

    /// <summary>Configuration on top of the defaults (set before first use).</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Talk to this Kubernetes API (a sandbox API server) through the real Kubernetes adapters instead of the in-memory
    /// <see cref="Policies"/>, <see cref="Proposals"/>, <see cref="Workloads"/>, <see cref="Cluster"/> and <see cref="Events"/>
    /// (set before first use). Failed requests are not retried (a retry waits on the fake clock).
    /// </summary>
    public Uri? KubernetesApi { get; set; }

    /// <summary>The Kubernetes client's request timeout with <see cref="KubernetesApi"/>, in real seconds.</summary>
    public int KubernetesRequestTimeoutSeconds { get; set; } = 20;

    /// <summary>
    /// Runs as each decision reaches the approval inbox, before it is decided (set before first use): a test's way to
    /// change the cluster between a channel's own checks and the decision.
    /// </summary>
    public Func<Task>? BeforeDecision { get; set; }

    public ServerFactory()
    {
        Policies = new InMemoryPolicyStore(Time);
        Proposals = new InMemoryProposalStore(Time);
        Metrics = new FakeMetrics(Time);
    }

    /// <summary>
    /// A new server process over the same stored state (what survives a restart), the same clock and workloads; or a
    /// second replica whose clock is <paramref name="clock"/> (replicas' clocks differ by what NTP leaves).
    /// </summary>
    public ServerFactory Restarted(FakeTimeProvider? clock = null)
    {
        var next = new ServerFactory(Policies, Proposals, clock ?? Time, Workloads, UsedApprovals);
        return next;
    }

    private ServerFactory(InMemoryPolicyStore policies, InMemoryProposalStore proposals, FakeTimeProvider time, FakeWorkloads workloads, MemoryUsedApprovalLedger usedApprovals)
    {
        Time = time;
        UsedApprovals = usedApprovals;
        Policies = policies;
        Proposals = proposals;
        Workloads = workloads;
        Metrics = new FakeMetrics(Time);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["ScaleControl:Mode"] = "Cluster",
            ["ScaleControl:Kubernetes:Host"] = "http://127.0.0.1:9",
            ["ScaleControl:Prometheus:Url"] = PrometheusUrl?.ToString() ?? "http://127.0.0.1:9",
            ["ScaleControl:DingTalk:AppKey"] = "test-app",
            ["ScaleControl:DingTalk:AppSecret"] = "test-secret",
            ["ScaleControl:DingTalk:CardTemplateId"] = "test-template",
            ["ScaleControl:Approvals:SigningKey"] = SigningKey,
            ["ScaleControl:Cost:CpuHour"] = "2.40",
            ["ScaleControl:Cost:MemoryGiBHour"] = "0.40",
            ["ScaleControl:Cost:Currency"] = "¥",
        };
        if (KubernetesApi is { } api)
        {
            settings["ScaleControl:Kubernetes:Host"] = api.ToString();
            settings["ScaleControl:Kubernetes:RequestTimeoutSeconds"] = KubernetesRequestTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["ScaleControl:Kubernetes:Throttle:QueriesPerSecond"] = "5000";
            settings["ScaleControl:Kubernetes:Throttle:Burst"] = "5000";
            settings["ScaleControl:Kubernetes:Throttle:MaxRetries"] = "0";
        }

        if (DingTalk is { } emulator)
        {
            settings["ScaleControl:DingTalk:ApiBaseUrl"] = new Uri(emulator.Url, "sandbox/dingtalk").ToString();
            settings["ScaleControl:DingTalk:OapiBaseUrl"] = new Uri(emulator.Url, "sandbox/dingtalk").ToString();
            settings["ScaleControl:DingTalk:AppKey"] = emulator.App.AppKey;
            settings["ScaleControl:DingTalk:AppSecret"] = emulator.App.AppSecret;
            settings["ScaleControl:DingTalk:CardTemplateId"] = SandboxCardTemplate.ScaleApprovalId;
            settings["ScaleControl:DingTalk:StreamConnections"] = "1";
            settings["ScaleControl:DingTalk:UserNames:zhangsan"] = "Zhang San";
            settings["ScaleControl:DingTalk:UserNames:lisi"] = "Li Si";
        }

        Token(settings, 0, AdminToken, "admin", "admin");
        Token(settings, 1, ViewerToken, "viewer", "viewer");
        Token(settings, 2, ShopOperatorToken, "shopper", "operator", "shop");
        Token(settings, 3, ZhangsanToken, "zhangsan", "operator", "*");
        Token(settings, 4, LisiToken, "lisi", "operator", "shop");
        Token(settings, 5, WangwuToken, "wangwu", "operator", "shop");
        Person(settings, 0, "zhangsan", "operator", "*");
        Person(settings, 1, "lisi", "operator", "shop");
        Person(settings, 2, "wangwu", "viewer");
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService)).ToList())
            {
                services.Remove(hosted);
            }

            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton(global::Prometheus.Metrics.NewCustomRegistry()); // this host's /metrics only: tests run hosts side by side
            services.AddSingleton<ILoggerProvider>(Logs);
            if (KubernetesApi is null)
            {
                services.AddSingleton<IPolicyStore>(Policies);
                services.AddSingleton<IProposalStore>(Proposals);
                services.AddSingleton<IWorkloadClient>(Workloads);
                services.AddSingleton<IWorkloadPods>(Workloads);
                services.AddSingleton<IClusterCapacity>(Cluster);
                services.AddSingleton<IEventRecorder>(Events);
                services.AddSingleton<IUsedApprovalLedger>(UsedApprovals);
            }

            if (PrometheusUrl is null)
            {
                services.AddSingleton<IMetricSource>(Metrics);
            }

            if (DingTalk is null)
            {
                services.AddSingleton<IApprovalNotifier>(Cards);
            }
            else
            {
                services.AddHostedService(sp => sp.GetRequiredService<DingTalkStreamClient>()); // the taps' way in
            }

            if (BeforeDecision is { } before)
            {
                services.AddSingleton<IApprovalInbox>(sp => new InboxAfter(before, sp.GetRequiredService<ApprovalService>()));
            }

            services.AddSingleton<IConfirmationCards>(ConfirmationCards);
            services.AddSingleton<INoticePublisher>(Notices);
            services.AddSingleton<IFaultNotifier>(Faults);
            services.AddSingleton<ILeadership>(Leadership ?? new FixedLeadership());
            services.AddSingleton<IFaultLedgerStore>(new MemoryFaultLedgerStore());
        });
    }

    public HttpClient ClientWith(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    private static void Person(Dictionary<string, string> settings, int i, string userId, string role, params string[] namespaces)
    {
        settings[$"ScaleControl:Auth:People:{i}:UserId"] = userId;
        settings[$"ScaleControl:Auth:People:{i}:Role"] = role;
        for (var n = 0; n < namespaces.Length; n++)
        {
            settings[$"ScaleControl:Auth:People:{i}:Namespaces:{n}"] = namespaces[n];
        }
    }

    private static void Token(Dictionary<string, string> settings, int i, string token, string user, string role, params string[] namespaces)
    {
        settings[$"ScaleControl:Auth:Tokens:{i}:Token"] = token;
        settings[$"ScaleControl:Auth:Tokens:{i}:User"] = user;
        settings[$"ScaleControl:Auth:Tokens:{i}:Role"] = role;
        for (var n = 0; n < namespaces.Length; n++)
        {
            settings[$"ScaleControl:Auth:Tokens:{i}:Namespaces:{n}"] = namespaces[n];
        }
    }
}

/// <summary>Policies used by the tests: one query per workload, 100 QPS per pod.</summary>
public static class TestPolicies
{
    public static string Query(string workload) => $"sum(rate(http_requests_total{{workload=\"{workload}\"}}[1m]))";

    public static ScalePolicy Approval(string ns = "shop", string name = "checkout-api", int escalateAfter = 120, int expiry = 600) => Base(ns, name, ScaleMode.Approval) with
    {
        Spec = Base(ns, name, ScaleMode.Approval).Spec with
        {
            Approval = new ApprovalSpec
            {
                OpenConversationId = "cidOnCall==",
                Approvers = ["zhangsan", "lisi"],
                ExpirySeconds = expiry,
                Escalation = new EscalationSpec { AfterSeconds = escalateAfter },
            },
            Notifications = new NotificationSpec { OpenConversationId = "cidOnCall==" },
        },
    };

    public static ScalePolicy Auto(string ns = "video", string name = "video-transcoder") => Base(ns, name, ScaleMode.Auto) with
    {
        Spec = Base(ns, name, ScaleMode.Auto).Spec with { Notifications = new NotificationSpec { OpenConversationId = "cidOnCall==" } },
    };

    private static ScalePolicy Base(string ns, string name, ScaleMode mode) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Kind = TargetRef.DeploymentKind, Name = name },
            Metrics = [new MetricSpec { Name = "qps", Query = Query(name), Target = 100 }],
            MinReplicas = 2,
            MaxReplicas = 50,
            Mode = mode,
            Prediction = new PredictionSpec { Enabled = false },
            Behavior = new ScalingBehavior
            {
                ScaleUp = DirectionBehavior.DefaultScaleUp with { MaxStep = new StepLimit { Pods = 50, Percent = 500 } },
                ScaleDown = DirectionBehavior.DefaultScaleDown,
            },
        },
    };
}
