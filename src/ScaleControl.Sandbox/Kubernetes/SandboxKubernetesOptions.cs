namespace ScaleControl.Sandbox.Kubernetes;

/// <summary>Knobs of the sandbox Kubernetes API and of the tiny cluster simulated behind it.</summary>
public sealed class SandboxKubernetesOptions
{
    /// <summary>Version reported on /version; kubectl's dispatcher picks its binary from it.</summary>
    public string GitVersion { get; set; } = "v1.32.4";

    /// <summary>How long a new pod takes to become ready, so status.readyReplicas lags spec.replicas.</summary>
    public TimeSpan PodStartupDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PodGC's <c>--terminated-pod-gc-threshold</c>: beyond this many finished pods (Succeeded or Failed) the oldest are
    /// deleted, evicted ones first, as kube-controller-manager's gcTerminated. Upstream's default is 12,500; a sandbox
    /// of a few nodes keeps 100, so <c>kubectl get pods</c> stays readable. 0 or less keeps every finished pod.
    /// </summary>
    public int TerminatedPodGcThreshold { get; set; } = 100;

    /// <summary>Period of the controller loop (pod readiness, workload status, HPA) when it runs in the background.</summary>
    public TimeSpan ControllerInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Run the controller loop as a hosted service. Tests on a FakeTimeProvider call ReconcileNow instead.</summary>
    public bool RunControllerLoop { get; set; } = true;

    /// <summary>Watch events kept for resuming watches from a resourceVersion; older ones get 410 Expired.</summary>
    public int WatchHistoryLimit { get; set; } = 1000;

    /// <summary>Interval between BOOKMARK events on watches that allow them.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for a watch that sets no timeoutSeconds (a real apiserver picks 30–60 minutes).</summary>
    public TimeSpan MaxWatchDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A test's recommendation for an HPA's target, asked on every controller pass; an answer wins over the HPA's
    /// metrics and is clamped to [minReplicas, maxReplicas] and written to the target. Null lets the controller size
    /// the target by the HPA's metrics (or, for an HPA without metrics, keep it within its bounds).
    /// </summary>
    public Func<HpaRecommendationContext, int?> HpaRecommendation { get; set; } = _ => null;

    /// <summary>Requests kept by the request journal (oldest dropped first).</summary>
    public int JournalLimit { get; set; } = 10_000;

    /// <summary>
    /// Where the object store is kept (SQLite, like etcd's data directory), so a restart keeps what was there; null keeps
    /// everything in memory. Every write is committed before the request is answered.
    /// </summary>
    public string? StateDirectory { get; set; }

    /// <summary>
    /// Objects may only be created in namespaces that exist (404 otherwise), as on a real cluster. Off, a create makes
    /// its namespace, which keeps terse tests terse; the product's sandbox mode turns it on.
    /// </summary>
    public bool RequireExistingNamespaces { get; set; }

    /// <summary>The bearer token of the kubeconfig's admin (system:masters, never checked by RBAC); no token at all is the admin too.</summary>
    public string AdminToken { get; set; } = SandboxKubeconfig.AdminToken;

    /// <summary>
    /// Named users by bearer token (like a static token file): their requests are checked by RBAC, as are those of
    /// ServiceAccount tokens (<c>kubectl create token</c>). Any other token is answered 401 Unauthorized.
    /// </summary>
    public IDictionary<string, SandboxUser> Users { get; } = new Dictionary<string, SandboxUser>(StringComparer.Ordinal);

    /// <summary>Delete the kept state at start and begin with an empty cluster.</summary>
    public bool ResetState { get; set; }

    /// <summary>
    /// The cluster's nodes, created at start: where the pods of every workload are scheduled by their requests.
    /// Replicas that fit nowhere stay Pending with a FailedScheduling event, as on a full cluster.
    /// </summary>
    public IList<SandboxNode> Nodes { get; } = SandboxNode.Defaults(3, "8", "32Gi");
}

/// <summary>One simulated node: its name and allocatable CPU and memory (Kubernetes quantities, e.g. "8", "32Gi").</summary>
public sealed record SandboxNode(string Name, string Cpu, string Memory, int MaxPods = 110)
{
    /// <summary><paramref name="count"/> identical nodes named sandbox-node-1, -2, ...</summary>
    public static List<SandboxNode> Defaults(int count, string cpu, string memory) =>
        [.. Enumerable.Range(1, count).Select(i => new SandboxNode($"sandbox-node-{i}", cpu, memory))];
}

/// <summary>A user of a static token: a name and groups (system:authenticated is added) for RBAC subjects.</summary>
public sealed record SandboxUser(string Name, IReadOnlyList<string> Groups);

/// <summary>What the HPA recommendation hook sees about one HPA and its target.</summary>
public sealed record HpaRecommendationContext(
    string Namespace, string HpaName, string TargetKind, string TargetName,
    int CurrentReplicas, int ReadyReplicas, int MinReplicas, int MaxReplicas);
