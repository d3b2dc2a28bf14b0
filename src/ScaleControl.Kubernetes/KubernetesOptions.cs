using System.ComponentModel.DataAnnotations;
using ScaleControl.Core.Ports;

namespace ScaleControl.Kubernetes;

/// <summary>
/// How ScaleControl reaches the Kubernetes API (configuration section <c>Kubernetes</c>). The API is found in this
/// order: <see cref="Host"/> (an explicit URL, e.g. the sandbox), <see cref="KubeconfigPath"/>, in-cluster service
/// account, then the default kubeconfig.
/// </summary>
public sealed class KubernetesOptions
{
    public const string SectionName = "Kubernetes";

    /// <summary>An explicit API server URL, path prefix allowed (e.g. <c>http://127.0.0.1:5000/k8s</c>).</summary>
    public string? Host { get; set; }

    public string? KubeconfigPath { get; set; }

    public string? Context { get; set; }

    /// <summary>Field manager recorded on every write (visible in <c>managedFields</c>).</summary>
    [Required]
    public string FieldManager { get; set; } = "scalecontrol";

    /// <summary>Timeout of one non-watch request.</summary>
    [Range(1, 600)]
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The namespaces ScaleControl works in (empty: all, with cluster-wide list and watch). When set, every list,
    /// watch and cache of a namespaced kind uses that namespace's endpoint, so a Role per namespace is enough, and
    /// requests for other namespaces are refused. At most <see cref="WatchedNamespaces.MaxCount"/> DNS-1123 labels.
    /// </summary>
    public List<string> Namespaces { get; set; } = [];

    public ThrottleOptions Throttle { get; set; } = new();

    public WatchOptions Watch { get; set; } = new();

    public LeaderElectionOptions LeaderElection { get; set; } = new();

    public EventOptions Events { get; set; } = new();
}

/// <summary>The client-side token bucket and retry policy (requests/second shared by all requests of this process).</summary>
public sealed class ThrottleOptions
{
    [Range(0.1, 100_000)]
    public double QueriesPerSecond { get; set; } = 50;

    [Range(1, 100_000)]
    public int Burst { get; set; } = 100;

    /// <summary>Retries of a request answered with 429 or a 5xx (idempotent requests only for 5xx).</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>First back-off delay; doubles per attempt (with jitter) unless the server sends Retry-After.</summary>
    [Range(1, 60_000)]
    public int BaseDelayMilliseconds { get; set; } = 200;

    [Range(1, 600)]
    public int MaxDelaySeconds { get; set; } = 30;
}

/// <summary>The list-then-watch caches that serve policies, proposals and workloads from memory.</summary>
public sealed class WatchOptions
{
    /// <summary>Server-side watch timeout; the watch is re-opened from the last resourceVersion when it ends.</summary>
    [Range(1, 3600)]
    public int WatchTimeoutSeconds { get; set; } = 290;

    /// <summary>Watchdog: a watch silent for longer than this (no event, no bookmark) is dropped and re-opened.</summary>
    [Range(1, 3600)]
    public int IdleTimeoutSeconds { get; set; } = 330;

    /// <summary>Sustained reconnect rate per cache (YARP uses 0.2/s); <see cref="ReconnectBurst"/> come at once.</summary>
    [Range(0.01, 100)]
    public double ReconnectsPerSecond { get; set; } = 0.5;

    [Range(1, 100)]
    public int ReconnectBurst { get; set; } = 5;
}

/// <summary>Leader election on a coordination.k8s.io/v1 Lease; only the leader runs the control loop.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>When false this replica always leads (one replica, or tests).</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string Namespace { get; set; } = "scalecontrol-system";

    [Required]
    public string LeaseName { get; set; } = "scalecontrol-leader";

    /// <summary>This replica's identity; default the pod name (<c>HOSTNAME</c>), then the machine name.</summary>
    public string? Identity { get; set; }

    [Range(0.1, 600)]
    public double LeaseDurationSeconds { get; set; } = 15;

    [Range(0.1, 600)]
    public double RenewDeadlineSeconds { get; set; } = 10;

    [Range(0.05, 60)]
    public double RetryPeriodSeconds { get; set; } = 2;
}

/// <summary>Kubernetes Events on target workloads.</summary>
public sealed class EventOptions
{
    [Required]
    public string Component { get; set; } = "scalecontrol";

    /// <summary>Repeats of the same event within this window update one Event (count, lastTimestamp).</summary>
    [Range(1, 86_400)]
    public int DedupeWindowSeconds { get; set; } = 600;
}
