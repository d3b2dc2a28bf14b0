using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>One line a simulated container wrote to stdout, and when.</summary>
internal sealed record LogLine(DateTimeOffset At, string Text);

/// <summary>
/// What a simulated container writes to its log, derived from the pod's status: the sandbox runs no processes, so
/// the log is the moments it simulates — started, listening (ready), SIGTERM received (after the preStop sleep), and
/// the exit (on SIGTERM, at the kill, or at once by the sandbox's start-failure trigger). Lines not yet due (a SIGTERM
/// still behind its preStop sleep) are not written. A container instance writes at most <see cref="MaxLines"/> lines
/// and the kubelet keeps two instances per container (the current one and, after a restart, the previous one, as
/// lastState), so a pod's logs stay bounded whatever it lives through; they go with the pod.
/// </summary>
internal static class ContainerLog
{
    /// <summary>The most lines one container instance writes (start, listening, SIGTERM, exit).</summary>
    public const int MaxLines = 4;

    /// <summary>The container instance whose log a request reads (the kubelet's validateContainerLogStatus), or why there is none.</summary>
    public static (JsonObject? Instance, string? Error) Instance(JsonObject pod, string container, bool previous)
    {
        var podName = JsonPaths.GetString(pod, "metadata.name");
        var status = new[] { "containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses" }
            .SelectMany(field => (pod["status"]?[field] as JsonArray)?.OfType<JsonObject>() ?? [])
            .FirstOrDefault(c => (string?)c["name"] == container);
        if (status is null)
        {
            return (null, $"container \"{container}\" in pod \"{podName}\" is not available");
        }

        var last = status["lastState"]?["terminated"] as JsonObject;
        if (previous)
        {
            return last is not null && (string?)last["containerID"] is { Length: > 0 }
                ? (last, null)
                : (null, $"previous terminated container \"{container}\" in pod \"{podName}\" not found");
        }

        if (status["state"]?["running"] is JsonObject running)
        {
            return (running, null);
        }

        if (status["state"]?["terminated"] is JsonObject terminated)
        {
            return (terminated, null);
        }

        if (last is not null)
        {
            return (last, null);
        }

        var reason = (string?)status["state"]?["waiting"]?["reason"] ?? "ContainerCreating";
        return (null, reason switch
        {
            "ErrImagePull" => $"container \"{container}\" in pod \"{podName}\" is waiting to start: image can't be pulled",
            "ImagePullBackOff" => $"container \"{container}\" in pod \"{podName}\" is waiting to start: trying and failing to pull image",
            _ => $"container \"{container}\" in pod \"{podName}\" is waiting to start: {reason}",
        });
    }

    /// <summary>The lines the instance (a containerStatus's state: running or terminated) has written by <paramref name="now"/>.</summary>
    public static IReadOnlyList<LogLine> Lines(JsonObject pod, string container, JsonObject instance, DateTimeOffset now)
    {
        var spec = (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == container);
        var started = Timestamps.Parse((string?)instance["startedAt"]);
        if (started is not { } start)
        {
            return [];
        }

        var lines = new List<LogLine> { new(start, $"starting {container} ({(string?)spec?["image"]})") };
        var finished = Timestamps.Parse((string?)instance["finishedAt"]);
        var exitCode = JsonPaths.GetInt(instance, "exitCode");
        var crashedAtStart = finished == start && exitCode is not (null or 137) && ContainerFault.Of(spec ?? []) is CrashFault;
        if (!crashedAtStart)
        {
            var port = (spec?["ports"] as JsonArray)?.OfType<JsonObject>().Select(p => JsonPaths.GetInt(p, "containerPort")).FirstOrDefault(p => p is not null);
            lines.Add(new(start, port is { } listening ? $"listening on :{listening.ToString(CultureInfo.InvariantCulture)}, ready" : "ready"));
            if (Sigterm(pod, spec, finished) is { } sigterm && sigterm.At <= (finished ?? now))
            {
                lines.Add(new(sigterm.At, sigterm.Text));
            }
        }

        if (finished is { } end && exitCode is { } code)
        {
            lines.Add(new(end, code == 137 ? "killed (SIGKILL), exit code 137" : $"exited with code {code.ToString(CultureInfo.InvariantCulture)}"));
        }

        return [.. lines.Where(l => l.At <= now)];
    }

    // SIGTERM comes when the preStop sleep is over, counted from the deletion (deletionTimestamp minus the grace
    // period); once the container has stopped, counted back from its exit, since the kubelet's final delete (grace 0)
    // rewrites the deletion's grace period and timestamp.
    private static LogLine? Sigterm(JsonObject pod, JsonObject? spec, DateTimeOffset? finished)
    {
        if (Timestamps.Parse(JsonPaths.GetString(pod, "metadata.deletionTimestamp")) is not { } deadline)
        {
            return null;
        }

        var pending = PodGracePeriod.Pending(pod);
        if (finished is null && pending <= 0)
        {
            return null;
        }

        var grace = pending > 0 ? pending : PodGracePeriod.Seconds(pod["spec"]?["terminationGracePeriodSeconds"]) ?? 30;
        var shutdown = ContainerShutdown.Of(spec, grace);

        var at = finished is { } end ? end.AddSeconds(shutdown.PreStop - shutdown.Seconds) : deadline.AddSeconds(shutdown.PreStop - grace);
        return new(at, shutdown.HandlesSigterm
            ? $"received SIGTERM, draining connections for up to {(shutdown.Seconds - shutdown.PreStop).ToString(CultureInfo.InvariantCulture)}s"
            : "received SIGTERM, ignored (no SANDBOX_SHUTDOWN_SECONDS)");
    }
}
