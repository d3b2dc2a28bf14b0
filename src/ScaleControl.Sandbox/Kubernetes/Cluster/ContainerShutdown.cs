using System.Globalization;
using System.Text.Json.Nodes;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// When a running sandbox container stops once its pod is deleted, counted from the deletion, as the kubelet's
/// killContainer (pkg/kubelet/kuberuntime/kuberuntime_container.go) stops it. The preStop hook runs first, within
/// the grace period: a <c>sleep</c> action sleeps its seconds (runSleepHandler); an <c>exec</c> or <c>httpGet</c>
/// hook, which needs a real container, counts as done at once. Then SIGTERM, with what is left of the grace period but
/// never less than 2 s (minimumGracePeriodInSeconds), then SIGKILL (exit code 137, reason Error). A container with
/// the env var <see cref="Variable"/>=N handles SIGTERM as a real service does: it exits with code 0 (Completed) N
/// seconds after it, if that is before the kill. Without it the container ignores SIGTERM.
/// </summary>
internal readonly record struct ContainerShutdown(long Seconds, int ExitCode)
{
    /// <summary>An env var: the whole seconds (0–3600) the container takes to exit after SIGTERM.</summary>
    public const string Variable = "SANDBOX_SHUTDOWN_SECONDS";

    private const long MinimumGracePeriodSeconds = 2;

    public string Reason => ExitCode == 0 ? "Completed" : "Error";

    /// <summary>The seconds of preStop sleep before SIGTERM (the container's log says when SIGTERM came).</summary>
    public long PreStop { get; init; }

    /// <summary>Whether the container handles SIGTERM (exits on it) rather than ignoring it until the kill.</summary>
    public bool HandlesSigterm { get; init; }

    /// <param name="container">The container's spec.</param>
    /// <param name="gracePeriod">The pod's deletionGracePeriodSeconds.</param>
    public static ContainerShutdown Of(JsonObject? container, long gracePeriod)
    {
        var preStop = gracePeriod > 0 ? Math.Min(PreStopSeconds(container?["lifecycle"]?["preStop"] as JsonObject), gracePeriod) : 0;
        var left = Math.Max(gracePeriod - preStop, MinimumGracePeriodSeconds);
        var afterSigterm = AfterSigterm(container);
        var shutdown = afterSigterm is { } exits && exits < left ? new ContainerShutdown(preStop + exits, 0) : new ContainerShutdown(preStop + left, 137);
        return shutdown with { PreStop = preStop, HandlesSigterm = afterSigterm is not null };
    }

    // A sleep action's seconds (validation keeps them within the grace period); any other hook takes no time here.
    private static long PreStopSeconds(JsonObject? hook) =>
        Math.Max(Operations.PodGracePeriod.Seconds(hook?["sleep"]?["seconds"]) ?? 0, 0);

    private static long? AfterSigterm(JsonObject? container)
    {
        var env = (container?["env"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(e => (string?)e["name"] == Variable);
        return (string?)env?["value"] is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 3600
            ? seconds
            : null;
    }
}
