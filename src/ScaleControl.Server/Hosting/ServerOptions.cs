using System.ComponentModel.DataAnnotations;

namespace ScaleControl.Server.Hosting;

/// <summary>Sandbox: no cluster configured, the sandbox world runs in this process. Cluster: real Kubernetes, Prometheus and DingTalk.</summary>
public enum ServerMode
{
    Sandbox,
    Cluster,
}

/// <summary><c>ScaleControl</c>: the server as a whole.</summary>
public sealed class ServerOptions
{
    public const string SectionName = "ScaleControl";

    /// <summary>Sandbox or Cluster; unset = Cluster when a kubeconfig is configured or the process runs in a pod, else Sandbox.</summary>
    public ServerMode? Mode { get; set; }

    /// <summary>This replica's name for leader election and logs (default: the host name).</summary>
    public string? Identity { get; set; }
}

/// <summary><c>ScaleControl:Loop</c>: how the control loop ticks.</summary>
public sealed class ControlLoopOptions
{
    public const string SectionName = "ScaleControl:Loop";

    /// <summary>Wait this long after start before the first tick (lets the watch caches fill).</summary>
    [Range(0, 600)]
    public double StartupDelaySeconds { get; set; } = 2;

    /// <summary>How often the loop wakes to see which policies are due (each policy has its own interval, at least 1 s).</summary>
    [Range(0.05, 60)]
    public double TickSeconds { get; set; } = 1;

    /// <summary>A policy's status subresource is rewritten when its replicas or problem change, else after this long (spread per policy over up to twice this).</summary>
    [Range(1, 3600)]
    public int StatusRefreshSeconds { get; set; } = 60;

    /// <summary>
    /// Evaluations kept per policy for the dashboard charts (360 = the default 30-minute window at 5 s; 32 bytes each).
    /// A loop that was not watching fills that span in from Prometheus (<see cref="Control.Loop.ChartBackfill"/>).
    /// </summary>
    [Range(10, 100_000)]
    public int EvaluationRingSize { get; set; } = 360;

    /// <summary>
    /// The window <c>GET /history</c> shows when no <c>from</c> is given. It only narrows what is shown; what is kept
    /// is <see cref="HistoryOptions"/>.
    /// </summary>
    [Range(1, 24 * 90)]
    public int HistoryHours { get; set; } = 24;

    /// <summary>
    /// An apply claimed (phase Applying) longer ago than this lost its replica (crash, kill): the leader resumes it.
    /// Longer than any apply takes (a scale write with its retries), short enough that an approval is not kept waiting.
    /// </summary>
    [Range(1, 600)]
    public double ApplyClaimSeconds { get; set; } = 30;

    /// <summary>How long after it was applied a change can be undone (card button, scalectl undo, the API).</summary>
    [Range(60, 7 * 24 * 3600)]
    public int UndoWindowSeconds { get; set; } = 7200;

    /// <summary>
    /// An Automatic policy's step joins the card of the workload's (or its policy group's) previous automatic steps when
    /// the newest is at most this old, and that card is updated in place; after a longer quiet spell a new card starts.
    /// </summary>
    [Range(60, 24 * 3600)]
    public int AutoNoticeWindowSeconds { get; set; } = 1800;

    /// <summary>
    /// Where a policy's notices go to a custom-robot webhook (no card to update there): after an automatic step is
    /// posted, the steps of the next this many seconds are posted together as one message.
    /// </summary>
    [Range(10, 3600)]
    public int AutoNoticeDigestSeconds { get; set; } = 300;

    /// <summary>Stale cards (see CardState) the leader brings up to date per tick, so a DingTalk outage ends without a burst.</summary>
    [Range(1, 10_000)]
    public int CardRepairsPerTick { get; set; } = 50;

    /// <summary>
    /// A policy the loop was not watching (a new leader, a restart, a new policy) gets its metrics' recent past from
    /// Prometheus before its first evaluation (<see cref="Control.Loop.HistoryBackfill"/>); the tick waits at most this long for it.
    /// </summary>
    [Range(0.1, 60)]
    public double BackfillTimeoutSeconds { get; set; } = 5;

    /// <summary>The step of that range query: one point per scrape interval (15 s common) is what the loop would have seen.</summary>
    [Range(1, 300)]
    public int BackfillStepSeconds { get; set; } = 15;

    /// <summary>A dependency (Prometheus, the Kubernetes API, DingTalk) failing this long opens one living fault notice (a blip does not).</summary>
    [Range(0, 3600)]
    public double FaultOpenAfterSeconds { get; set; } = 30;

    /// <summary>The fault notice is updated in place at most this often while the fault lasts (and when what fails changes).</summary>
    [Range(1, 3600)]
    public double FaultUpdateSeconds { get; set; } = 60;

    /// <summary>The dependency answering this long resolves the notice ("resolved after 7m12s").</summary>
    [Range(0, 3600)]
    public double FaultResolveAfterSeconds { get; set; } = 30;
}

/// <summary>
/// <c>ScaleControl:History</c>: retention of finished ScaleProposals, the audit records. Without it they grow without
/// bound in etcd and in every replica's watch cache.
/// </summary>
public sealed class HistoryOptions
{
    public const string SectionName = "ScaleControl:History";

    /// <summary>A finished proposal is deleted this many days after it finished.</summary>
    [Range(1, 3650)]
    public int MaxAgeDays { get; set; } = 7;

    /// <summary>Finished proposals kept per policy (the newest); older ones are deleted even when younger than <see cref="MaxAgeDays"/>.</summary>
    [Range(1, 10_000)]
    public int MaxPerPolicy { get; set; } = 20;

    /// <summary>How often the leader looks for proposals to delete (shorter only in tests).</summary>
    [Range(1, 3600)]
    public double PruneIntervalSeconds { get; set; } = 60;
}

/// <summary><c>ScaleControl:Sandbox</c>: the embedded world.</summary>
public sealed class SandboxOptions
{
    public const string SectionName = "ScaleControl:Sandbox";

    /// <summary>
    /// Port of the sandbox cluster's Kubernetes API, a listener of its own on the server's host (plain http), as an
    /// apiserver has: 6443 unless the server itself was given port 0 or another process listens on 6443, then a free
    /// port; 0 picks a free port. A port set here and taken stops the start.
    /// </summary>
    [Range(0, 65_535)]
    public int? KubernetesPort { get; set; }

    /// <summary>Where the kubeconfig for the sandbox cluster is written (relative to the working directory).</summary>
    [Required]
    public string KubeconfigPath { get; set; } = ".scalecontrol/sandbox/kubeconfig";

    /// <summary>Seed the demo services and policies (checkout-api, feed-service, video-transcoder).</summary>
    public bool Seed { get; set; } = true;

    /// <summary>Flat, noise-free demand instead of the daily shape (predictable demos and tests).</summary>
    public bool FlatTraffic { get; set; }

    /// <summary>Start random hot events now and then, so the demo moves by itself.</summary>
    public bool DemoHotEvents { get; set; }

    /// <summary>Evaluation interval of the seeded policies.</summary>
    [Range(1, 3600)]
    public int EvaluationIntervalSeconds { get; set; } = 5;

    /// <summary>The rate() window of the seeded policies' queries (a short one reacts faster; Prometheus syntax).</summary>
    [RegularExpression(@"^\d+[smh]$")]
    public string RateWindow { get; set; } = "1m";

    /// <summary>Trend prediction in the seeded policies.</summary>
    public bool Prediction { get; set; } = true;

    /// <summary>Expiry of checkout-api's proposals.</summary>
    [Range(5, 86_400)]
    public int ApprovalExpirySeconds { get; set; } = 600;

    /// <summary>Delay before checkout-api's proposals are escalated by DING.</summary>
    [Range(1, 86_400)]
    public int EscalationSeconds { get; set; } = 120;

    /// <summary>Folder of replayable traffic traces (<c>seconds,qps</c> CSV); default: the samples/traces shipped with the server.</summary>
    public string? TracesDirectory { get; set; }

    /// <summary>How long a new pod of the sandbox cluster takes to become ready.</summary>
    [Range(0, 600)]
    public double PodStartupSeconds { get; set; } = 5;

    /// <summary>
    /// Finished pods the sandbox cluster's PodGC keeps before deleting the oldest (kube-controller-manager's
    /// <c>--terminated-pod-gc-threshold</c>, 12,500 upstream); 0 keeps them all.
    /// </summary>
    [Range(0, 100_000)]
    public int TerminatedPodGcThreshold { get; set; } = 100;

    /// <summary>
    /// Where the sandbox cluster keeps its objects (SQLite, cluster.db) so a restart, even after kill -9, keeps
    /// deployments, policies and proposals; default: the kubeconfig's folder (.scalecontrol/sandbox).
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>Start from an empty cluster: the kept state is deleted (also the <c>--reset</c> command-line flag).</summary>
    public bool Reset { get; set; }
    /// <summary>How long the DingTalk emulator waits for a card callback's answer (DingTalk: 2 s; longer only for load tests on a busy machine).</summary>
    [Range(0.5, 60)]
    public double DingTalkCallbackTimeoutSeconds { get; set; } = 2;

    /// <summary>Nodes of the sandbox cluster; replicas that fit on none stay Pending (FailedScheduling).</summary>
    [Range(1, 100)]
    public int Nodes { get; set; } = 3;

    /// <summary>Allocatable CPU of each sandbox node (a Kubernetes quantity).</summary>
    [RegularExpression(@"^\d+(\.\d+)?m?$")]
    public string NodeCpu { get; set; } = "8";

    /// <summary>Allocatable memory of each sandbox node (a Kubernetes quantity).</summary>
    [RegularExpression(@"^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$")]
    public string NodeMemory { get; set; } = "32Gi";
}
