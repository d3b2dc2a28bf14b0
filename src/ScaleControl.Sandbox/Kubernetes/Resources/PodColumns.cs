using System.Globalization;
using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;

namespace ScaleControl.Sandbox.Kubernetes.Resources;

/// <summary>The columns of <c>kubectl get pods</c> (and <c>-o wide</c>), computed as the apiserver's printer (printPod) does.</summary>
internal static class PodColumns
{
    public static IReadOnlyList<TableColumn> All { get; } =
    [
        TableColumn.NameColumn,
        new("Ready", "string", (o, _) => $"{Row(o).Ready}/{(o["spec"]?["containers"] as JsonArray)?.Count ?? 0}"),
        new("Status", "string", (o, _) => Row(o).Reason),
        new("Restarts", "string", (o, c) => Row(o) is { Restarts: > 0, LastRestart: { } last } row
            ? string.Create(CultureInfo.InvariantCulture, $"{row.Restarts} ({c.Age(last)} ago)")
            : Row(o).Restarts.ToString(CultureInfo.InvariantCulture)),
        TableColumn.AgeColumn,
        new("IP", "string", (o, _) => JsonPaths.GetString(o, "status.podIP") ?? "<none>", 1),
        new("Node", "string", (o, _) => JsonPaths.GetString(o, "spec.nodeName") ?? "<none>", 1),
        new("Nominated Node", "string", (o, _) => JsonPaths.GetString(o, "status.nominatedNodeName") ?? "<none>", 1),
        new("Readiness Gates", "string", (_, _) => "<none>", 1),
    ];

    // As printPod: from the last container to the first, a waiting reason (ContainerCreating, ErrImagePull,
    // CrashLoopBackOff…), else a terminated one (Error, Completed), wins over the phase; restarts add up, with the
    // latest lastState.terminated.finishedAt as "(5s ago)".
    private static (int Ready, string Reason, int Restarts, string? LastRestart) Row(JsonObject pod)
    {
        var phase = JsonPaths.GetString(pod, "status.phase");
        var reason = JsonPaths.GetString(pod, "status.reason") ?? phase ?? "Unknown";
        int ready = 0, restarts = 0;
        string? lastRestart = null;
        var hasRunning = false;
        foreach (var status in Statuses(pod).Reverse())
        {
            restarts += JsonPaths.GetInt(status, "restartCount") ?? 0;
            if (JsonPaths.GetString(status, "lastState.terminated.finishedAt") is { } finished
                && (lastRestart is null || Timestamps(finished) > Timestamps(lastRestart)))
            {
                lastRestart = finished;
            }

            var terminated = status["state"]?["terminated"];
            if (JsonPaths.GetString(status, "state.waiting.reason") is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (terminated is not null)
            {
                reason = JsonPaths.GetString(terminated, "reason") is { Length: > 0 } ended ? ended
                    : JsonPaths.GetInt(terminated, "signal") is { } signal and not 0 ? $"Signal:{signal}"
                    : $"ExitCode:{JsonPaths.GetInt(terminated, "exitCode") ?? 0}";
            }
            else if ((bool?)status["ready"] == true && status["state"]?["running"] is not null)
            {
                hasRunning = true;
                ready++;
            }
        }

        if (reason == "Completed" && hasRunning)
        {
            reason = (pod["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => (string?)c["type"] == "Ready" && (string?)c["status"] == "True") == true
                ? "Running"
                : "NotReady";
        }

        if (pod["metadata"]?["deletionTimestamp"] is not null && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        return (ready, reason, restarts, lastRestart);
    }

    private static DateTimeOffset Timestamps(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;

    private static IEnumerable<JsonObject> Statuses(JsonObject pod) =>
        (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? [];
}
