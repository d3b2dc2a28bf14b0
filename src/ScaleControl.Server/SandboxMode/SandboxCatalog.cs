using ScaleControl.Core.Policies;
using ScaleControl.Sandbox.DingTalk;
using ScaleControl.Sandbox.Kubernetes.Control;
using ScaleControl.Sandbox.Traffic;
using ScaleControl.Server.Hosting;

namespace ScaleControl.Server.SandboxMode;

/// <summary>One demo service: its workload, its simulated traffic and the policy that scales it.</summary>
public sealed record SandboxService(
    string Namespace,
    string Name,
    string Kind,
    double PeakQps,
    double PodCapacityQps,
    ScalePolicy Policy,
    (int Min, int Max)? Hpa = null,
    PodRequests? Requests = null);

/// <summary>
/// The sandbox's world: three realistic services with three modes. Checkout needs a person's approval (zhangsan or
/// lisi in the emulated on-call group) and reads the pushes that open it as a leading signal, the feed runs under an HPA with a Hybrid policy, the transcoder scales itself.
/// A small call chain (feed-gateway → feed-api → feed-comments, policy group feed-chain) shows the group card.
/// </summary>
public static class SandboxCatalog
{
    public static IReadOnlyList<SandboxService> Services(DingTalkSandboxOptions dingTalk, SandboxOptions settings)
    {
        var onCall = dingTalk.Groups[0].OpenConversationId;
        var notices = new NotificationSpec { OpenConversationId = onCall };
        return
        [
            new("shop", "checkout-api", TargetRef.DeploymentKind, PeakQps: 240, PodCapacityQps: 50, Policy(
                "shop", "checkout-api", TargetRef.DeploymentKind, targetQps: 40, min: 2, max: 40, ScaleMode.Approval,
                approval: new ApprovalSpec
                {
                    OpenConversationId = onCall,
                    Approvers = ["zhangsan", "lisi"],
                    RequiredApprovals = 1,
                    ExpirySeconds = settings.ApprovalExpirySeconds,
                    Escalation = new EscalationSpec { AfterSeconds = settings.EscalationSeconds, DingType = DingType.InApp },
                    AllowHalfStep = true,
                },
                notices: notices,
                scaleDownMode: ScaleMode.Auto,
                leadingSignal: PushSignal("shop", "checkout-api")),
                Requests: new PodRequests("500m", "512Mi")),
            new("feed", "feed-service", TargetRef.DeploymentKind, PeakQps: 600, PodCapacityQps: 120, Policy(
                "feed", "feed-service", TargetRef.DeploymentKind, targetQps: 100, min: 3, max: 30, ScaleMode.Hybrid,
                approval: new ApprovalSpec
                {
                    OpenConversationId = onCall,
                    Approvers = ["zhangsan", "lisi"],
                    ExpirySeconds = 600,
                    Escalation = new EscalationSpec { AfterSeconds = 180 },
                },
                notices: notices,
                autoStep: new StepLimit { Pods = 2 }),
                Hpa: (3, 30),
                Requests: new PodRequests("250m", "256Mi")),
            new("video", "video-transcoder", TargetRef.StatefulSetKind, PeakQps: 80, PodCapacityQps: 10, Policy(
                "video", "video-transcoder", TargetRef.StatefulSetKind, targetQps: 8, min: 2, max: 20, ScaleMode.Auto,
                notices: notices),
                Requests: new PodRequests("1", "2Gi")),
            .. Chain(onCall, notices, settings),
        ];
    }

    /// <summary>
    /// A call chain in one policy group: quiet at normal traffic (within min replicas), and during a hot event on
    /// the chain its three proposals share one card with Approve all.
    /// </summary>
    private static IEnumerable<SandboxService> Chain(string onCall, NotificationSpec notices, SandboxOptions settings) =>
        new (string Name, double TargetQps)[] { ("feed-gateway", 40), ("feed-api", 30), ("feed-comments", 20) }.Select(s =>
        {
            var policy = Policy("feed", s.Name, TargetRef.DeploymentKind, targetQps: s.TargetQps, min: 2, max: 20, ScaleMode.Approval,
                approval: new ApprovalSpec
                {
                    OpenConversationId = onCall,
                    Approvers = ["zhangsan", "lisi"],
                    ExpirySeconds = settings.ApprovalExpirySeconds,
                    Escalation = new EscalationSpec { AfterSeconds = settings.EscalationSeconds, DingType = DingType.InApp },
                },
                notices: notices,
                scaleDownMode: ScaleMode.Auto);
            return new SandboxService("feed", s.Name, TargetRef.DeploymentKind, PeakQps: s.TargetQps * 1.5, PodCapacityQps: s.TargetQps * 1.25,
                policy with { Spec = policy.Spec with { Group = "feed-chain" } }, Requests: new PodRequests("100m", "128Mi"));
        });


    public static List<SimulatedServiceOptions> Traffic(IEnumerable<SandboxService> services, bool flat) =>
        [.. services.Select(s => new SimulatedServiceOptions
        {
            Namespace = s.Namespace,
            Workload = s.Name,
            PeakQps = flat ? s.PeakQps / 2 : s.PeakQps,
            PodCapacityQps = s.PodCapacityQps,
            Flat = flat,
        })];

    /// <summary>
    /// The pushes that open a service, as the simulator's push campaigns count them (<c>POST /sandbox/traffic/pushes</c>):
    /// 0.1 QPS per push/s, below the campaigns' true 0.12 as a calibration from an earlier push would be (the replay's
    /// policy uses the same).
    /// </summary>
    public static LeadingSignalSpec PushSignal(string @namespace, string workload) => new()
    {
        Name = "push",
        Query = $"sum(rate(push_sent_total{{namespace=\"{@namespace}\",workload=\"{workload}\"}}[1m]))",
        RequestsPerUnit = 0.1,
        LeadSeconds = 90,
        HoldSeconds = 600,
    };

    public static string Query(string @namespace, string workload, string window = "1m") =>
        $"sum(rate(http_requests_total{{namespace=\"{@namespace}\",workload=\"{workload}\"}}[{window}]))";

    /// <summary>The sandbox settings that tune every seeded policy (interval, rate window, prediction).</summary>
    public static IReadOnlyList<SandboxService> Tuned(IReadOnlyList<SandboxService> services, SandboxOptions settings) =>
        [.. services.Select(s => s with
        {
            Policy = s.Policy with
            {
                Spec = s.Policy.Spec with
                {
                    EvaluationIntervalSeconds = settings.EvaluationIntervalSeconds,
                    Metrics = [.. s.Policy.Spec.Metrics.Select(m => m with { Query = Query(s.Namespace, s.Name, settings.RateWindow) })],
                    Prediction = s.Policy.Spec.Prediction with { Enabled = settings.Prediction },
                },
            },
        })];

    private static ScalePolicy Policy(
        string ns, string workload, string kind, double targetQps, int min, int max, ScaleMode mode,
        ApprovalSpec? approval = null, NotificationSpec? notices = null, StepLimit? autoStep = null, ScaleMode? scaleDownMode = null,
        LeadingSignalSpec? leadingSignal = null) => new()
    {
        Metadata = new ObjectMeta { Name = workload, Namespace = ns, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "scalecontrol-sandbox" } },
        Spec = new ScalePolicySpec
        {
            Target = new TargetRef { Kind = kind, Name = workload },
            Metrics = [new MetricSpec { Name = "qps", Query = Query(ns, workload), TargetType = MetricTargetType.PerReplica, Target = targetQps }],
            MinReplicas = min,
            MaxReplicas = max,
            Mode = mode,
            ScaleDownMode = scaleDownMode,
            AutoApproveMaxStep = autoStep,
            Behavior = new ScalingBehavior
            {
                ScaleUp = DirectionBehavior.DefaultScaleUp with { MaxStep = new StepLimit { Pods = 20, Percent = 200 } },
                ScaleDown = DirectionBehavior.DefaultScaleDown,
            },
            Approval = approval,
            Notifications = notices,
            LeadingSignal = leadingSignal,
        },
    };
}
