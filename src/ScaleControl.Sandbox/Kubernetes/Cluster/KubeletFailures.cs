using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Json;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The kubelet of a bound pod with a <see cref="ContainerFault"/>: the container status, pod phase and conditions a
/// kubelet 1.32 writes while a pull fails (ErrImagePull, then ImagePullBackOff) or a container exits at start
/// (terminated with its exit code, restarted, then CrashLoopBackOff with restartCount and lastState), on the
/// back-off of <see cref="KubeletBackOff"/>, with its events on the container, repeated ones counted on one Event.
/// The pod's other containers start as usual. The pod is rewritten only when what it shows changes.
/// </summary>
internal sealed class KubeletFailures(ResourceOperations operations, SandboxKubernetesOptions options)
{
    private const string Component = "kubelet";

    // At most this many of the steps a long jump of the clock skipped get their events (each counted on its Event).
    private const int MaxStepsRecorded = 20;

    private readonly Dictionary<(string Uid, string Container), int> _steps = [];
    private readonly Dictionary<(string Uid, string FieldPath, string Type, string Reason, string Message), string> _events = [];

    /// <summary>Whether the pod has a failing container; if so its status and events are brought up to <paramref name="now"/>.</summary>
    public bool Sync(PodState pod, DateTimeOffset boundAt, DateTimeOffset now)
    {
        if (operations.Find(BuiltInResources.Pods, pod.Namespace, pod.Name) is not { } stored || (string?)stored["metadata"]?["uid"] != pod.Uid)
        {
            return false;
        }

        var faults = ContainerFault.OfPod(stored["spec"] as JsonObject);
        if (faults.Count == 0)
        {
            return false;
        }

        var started = boundAt + options.PodStartupDelay;
        var stamp = Timestamps.Format(now);
        var statuses = new JsonArray();
        var steps = new List<(ContainerFault Fault, int Step)>();
        foreach (var container in (stored["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var (status, step) = faults.FirstOrDefault(f => f.Name == (string?)container["name"]) switch
            {
                PullFault pull => Pulling(pull, container, boundAt, now),
                CrashFault crash => Crashing(crash, container, pod, started, now),
                _ => (PodObjects.ContainerStatus(pod.Uid, container, now >= started, Timestamps.Format(started)), -1),
            };
            statuses.Add(status);
            if (step >= 0)
            {
                steps.Add((faults.First(f => f.Name == (string?)container["name"]), step));
            }
        }

        Write(pod, stored, statuses);
        foreach (var (fault, step) in steps)
        {
            RecordEvents(pod, stored, fault, step, stamp);
        }

        return true;
    }

    /// <summary>Drops what it remembers of pods that are gone.</summary>
    public void Forget(IReadOnlySet<string> alive)
    {
        foreach (var gone in _steps.Keys.Where(k => !alive.Contains(k.Uid)).ToList())
        {
            _steps.Remove(gone);
        }

        foreach (var gone in _events.Keys.Where(k => !alive.Contains(k.Uid)).ToList())
        {
            _events.Remove(gone);
        }
    }

    // Steps: 2 × attempt for a failed pull (ErrImagePull), + 1 once backing off (ImagePullBackOff).
    private static (JsonObject Status, int Step) Pulling(PullFault fault, JsonObject container, DateTimeOffset firstAttempt, DateTimeOffset now)
    {
        var (attempt, backingOff) = KubeletBackOff.Pull(firstAttempt, now);
        var image = SimulatedRegistry.WithDefaultTag(fault.Image);
        var waiting = backingOff
            ? new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{image}\": ErrImagePull: {fault.Error}" }
            : new JsonObject { ["reason"] = "ErrImagePull", ["message"] = fault.Error };
        return (Status(container, imageId: "", containerId: null, restarts: 0, new JsonObject { ["waiting"] = waiting }, new JsonObject()), (2 * attempt) + (backingOff ? 1 : 0));
    }

    // Steps: 2 × run when run number `run` has just exited (terminated), + 1 once backing off (CrashLoopBackOff).
    private static (JsonObject Status, int Step) Crashing(CrashFault fault, JsonObject container, PodState pod, DateTimeOffset firstStart, DateTimeOffset now)
    {
        if (now < firstStart)
        {
            return (PodObjects.ContainerStatus(pod.Uid, container, ready: false, ""), -1);
        }

        var (run, startedAt, backingOff) = KubeletBackOff.Crash(firstStart, now);
        var exited = Terminated(fault, pod, run, startedAt);
        JsonObject state, last;
        if (backingOff)
        {
            var message = $"back-off {KubeletBackOff.GoDuration(KubeletBackOff.CrashBackOff(run))} restarting failed container={fault.Name} pod={PodRef(pod)}";
            state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "CrashLoopBackOff", ["message"] = message } };
            last = new JsonObject { ["terminated"] = exited };
        }
        else
        {
            state = new JsonObject { ["terminated"] = exited };
            last = run == 0 ? [] : new JsonObject { ["terminated"] = Terminated(fault, pod, run - 1, KubeletBackOff.PreviousCrashStart(startedAt, run)) };
        }

        var status = Status(container, $"sandbox://{fault.Image}", ContainerId(pod, fault, run), run, state, last);
        return (status, (2 * run) + (backingOff ? 1 : 0));
    }

    // The container exits as it starts: startedAt = finishedAt; reason Error, or Completed for exit code 0.
    private static JsonObject Terminated(CrashFault fault, PodState pod, int run, DateTimeOffset at) => new()
    {
        ["exitCode"] = fault.ExitCode,
        ["reason"] = fault.ExitCode == 0 ? "Completed" : "Error",
        ["startedAt"] = Timestamps.Format(at),
        ["finishedAt"] = Timestamps.Format(at),
        ["containerID"] = ContainerId(pod, fault, run),
    };

    private static string ContainerId(PodState pod, ContainerFault fault, int run) => $"sandbox://{pod.Uid}/{fault.Name}/{run}";

    private static JsonObject Status(JsonObject container, string imageId, string? containerId, int restarts, JsonObject state, JsonObject lastState)
    {
        var status = new JsonObject { ["name"] = container["name"]?.DeepClone(), ["image"] = container["image"]?.DeepClone(), ["imageID"] = imageId };
        if (containerId is not null)
        {
            status["containerID"] = containerId;
        }

        status["ready"] = false;
        status["started"] = false;
        status["restartCount"] = restarts;
        status["state"] = state;
        status["lastState"] = lastState;
        return status;
    }

    // As format.Pod: name_namespace(uid).
    private static string PodRef(PodState pod) => $"{pod.Name}_{pod.Namespace}({pod.Uid})";

    // Running once a container has run (or runs); Ready and ContainersReady name the containers that are not ready.
    private void Write(PodState pod, JsonObject stored, JsonArray statuses)
    {
        var containers = statuses.OfType<JsonObject>().ToList();
        var phase = containers.Any(c => c["state"]?["running"] is not null || c["state"]?["terminated"] is not null || (int?)c["restartCount"] > 0) ? "Running" : "Pending";
        var unready = PodObjects.UnreadyMessage(containers.Where(c => (bool?)c["ready"] != true).Select(c => (string?)c["name"] ?? ""));
        if (JsonNode.DeepEquals(stored["status"]?["containerStatuses"], statuses) && JsonPaths.GetString(stored, "status.phase") == phase)
        {
            return;
        }

        operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o =>
        {
            var status = o.Obj("status");
            status["phase"] = phase;
            status["containerStatuses"] = statuses.DeepClone();
            foreach (var condition in (status["conditions"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if ((string?)condition["type"] is "Ready" or "ContainersReady")
                {
                    condition["message"] = unready;
                }
            }
        });
    }

    // The events of each step the container went through since the last pass (on a restart of the sandbox, the current one).
    private void RecordEvents(PodState pod, JsonObject stored, ContainerFault fault, int step, string stamp)
    {
        var key = (pod.Uid, fault.Name);
        if (!_steps.TryGetValue(key, out var previous))
        {
            previous = ShownBefore(stored, fault.Name) ? step - 1 : -1;
        }

        _steps[key] = step;
        for (var s = Math.Max(previous + 1, step - MaxStepsRecorded + 1); s <= step; s++)
        {
            foreach (var (type, reason, message) in Events(pod, fault, s))
            {
                Record(pod, fault.Name, type, reason, message, stamp);
            }
        }
    }

    // Whether the stored pod already shows this container past ContainerCreating (the kubelet had been at it).
    private static bool ShownBefore(JsonObject stored, string container) =>
        (stored["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["name"] == container)?["state"]?["waiting"]?["reason"] is JsonValue reason
        && (string?)reason != "ContainerCreating";

    // The kubelet's events (pkg/kubelet/images and kuberuntime), 1.32 wording.
    private static IEnumerable<(string Type, string Reason, string Message)> Events(PodState pod, ContainerFault fault, int step)
    {
        var backOff = step % 2 == 1;
        var image = SimulatedRegistry.WithDefaultTag(fault.Image);
        switch (fault)
        {
            case PullFault pull when !backOff:
                yield return ("Normal", "Pulling", $"Pulling image \"{image}\"");
                yield return ("Warning", "Failed", $"Failed to pull image \"{image}\": {pull.Error}");
                yield return ("Warning", "Failed", "Error: ErrImagePull");
                break;
            case PullFault:
                yield return ("Normal", "BackOff", $"Back-off pulling image \"{image}\"");
                yield return ("Warning", "Failed", "Error: ImagePullBackOff");
                break;
            case CrashFault when !backOff:
                yield return ("Normal", "Pulled", $"Container image \"{image}\" already present on machine");
                yield return ("Normal", "Created", $"Created container: {fault.Name}");
                yield return ("Normal", "Started", $"Started container {fault.Name}");
                break;
            case CrashFault when step > 1:
                yield return ("Warning", "BackOff", $"Back-off restarting failed container {fault.Name} in pod {PodRef(pod)}");
                break;
        }
    }

    private void Record(PodState pod, string container, string type, string reason, string message, string stamp)
    {
        var fieldPath = $"spec.containers{{{container}}}";
        var key = (pod.Uid, fieldPath, type, reason, message);
        if (_events.TryGetValue(key, out var name) && ClusterEvents.Repeat(operations, pod.Namespace, name, stamp))
        {
            return;
        }

        if (ClusterEvents.Record(operations, ("v1", "Pod", pod.Namespace, pod.Name, pod.Uid), type, reason, null, message, Component, stamp, fieldPath, pod.NodeName) is { } created)
        {
            _events[key] = created;
        }
    }
}
