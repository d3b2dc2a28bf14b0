using System.Text.Json.Nodes;
using ScaleControl.Sandbox.Kubernetes.Operations;
using ScaleControl.Sandbox.Kubernetes.Resources;

namespace ScaleControl.Sandbox.Kubernetes.Cluster;

/// <summary>
/// The scheduler and the kubelets: binds each unscheduled pod to the best scored node its requests fit on (cpu,
/// memory, pod count) and whose taints it tolerates (<see cref="TaintToleration"/>), or leaves it Pending with a
/// FailedScheduling event. The score is kube-scheduler 1.32's default one where it tells nodes apart: NodeResourcesFit's
/// LeastAllocated on the non-zero requests (weight 1), NodeResourcesBalancedAllocation on the requests (1) and the
/// default PodTopologySpread (2, <see cref="DefaultSpreading"/>); ties go to the first node by name (upstream: a random
/// one of them). A bound pod becomes Ready <see cref="SandboxKubernetesOptions.PodStartupDelay"/> after it was bound,
/// unless a container of it fails (<see cref="KubeletFailures"/>) or its node is not Ready (no kubelet acts there).
/// </summary>
internal sealed class PodScheduler(ResourceOperations operations, SandboxKubernetesOptions options, TimeProvider time, KubeletFailures kubelet)
{
    private const string Component = "default-scheduler";

    // Bind times to the tick (the stored startTime has whole seconds; it is the fallback after a restart).
    private readonly Dictionary<string, DateTimeOffset> _boundAt = [];
    private readonly Dictionary<string, string> _reported = [];
    private readonly HashSet<string> _startReady = [];
    private int _ips;

    /// <summary>The pod belongs to a workload seeded as already running: it is ready as soon as it is bound.</summary>
    public void StartReady(string podUid) => _startReady.Add(podUid);

    public void Run()
    {
        var now = time.GetUtcNow();
        var stamp = Timestamps.Format(now);
        // Every node: one that is not Ready is kept off by the node lifecycle controller's taints, as upstream.
        var nodes = operations.Store.Project(BuiltInResources.Nodes.Storage, NodeState.Of).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var readyNodes = nodes.Where(n => n.Ready).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var pods = operations.Store.Project(BuiltInResources.Pods.Storage, PodState.Of);
        var used = nodes.ToDictionary(n => n.Name, _ => new NodeUsage());
        foreach (var pod in pods.Where(p => p.Bound && !p.HasFinished)) // a finished pod holds no resources
        {
            used.GetValueOrDefault(pod.NodeName!)?.Add(pod);
        }

        DefaultSpreading? spreading = null; // read on the first pod to place: most passes have none
        foreach (var pod in pods.Where(p => !p.Bound && !p.Terminating && !p.HasFinished).OrderBy(p => p.Created, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var feasible = nodes.Where(n => used[n.Name].Fits(n, pod)).ToList();
            if (feasible.Count == 0)
            {
                ReportUnschedulable(pod, Explain(nodes, used, pod), stamp);
                continue;
            }

            spreading ??= DefaultSpreading.Read(operations);
            var spread = spreading.Scores(pod, feasible, nodes, name => used[name].Pods);
            var node = feasible.OrderByDescending(n => used[n.Name].LeastAllocated(n, pod) + used[n.Name].Balanced(n, pod) + (2 * spread?.GetValueOrDefault(n.Name) ?? 0)).First();
            used[node.Name].Add(pod with { NodeName = node.Name });
            var boundAt = _startReady.Remove(pod.Uid) ? now - options.PodStartupDelay : now;
            _boundAt[pod.Uid] = boundAt;
            _reported.Remove(pod.Uid);
            var podIp = $"10.244.{nodes.IndexOf(node) + 1}.{2 + (_ips++ % 250)}";
            var failing = ContainerFault.OfPod(operations.Find(BuiltInResources.Pods, pod.Namespace, pod.Name)?["spec"] as JsonObject).Count > 0;
            operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o =>
            {
                PodObjects.Bind(o, node.Name, node.HostIp, podIp, stamp);
                if (now - boundAt >= options.PodStartupDelay && !failing && node.Ready)
                {
                    PodObjects.MarkReady(o, stamp);
                }
            });
            RecordEvent(pod, "Normal", "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {node.Name}", stamp);
            if (failing)
            {
                kubelet.Sync(pod with { NodeName = node.Name }, boundAt, now);
            }
        }

        // A kubelet never restarts a finished pod, nor starts the containers of one being deleted.
        foreach (var pod in pods.Where(p => p.Bound && !p.Ready && !p.HasFinished && !p.Terminating && readyNodes.Contains(p.NodeName!)))
        {
            var boundAt = _boundAt.TryGetValue(pod.Uid, out var at) ? at : Timestamps.Parse(pod.StartTime) ?? now;
            if (kubelet.Sync(pod, boundAt, now))
            {
                continue;
            }

            if (now - boundAt >= options.PodStartupDelay)
            {
                operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o => PodObjects.MarkReady(o, stamp));
            }
        }

        Forget(pods);
    }

    // As the scheduler's FitError: a histogram of why each node was filtered out, then the preemption verdict.
    private static string Explain(List<NodeState> nodes, Dictionary<string, NodeUsage> used, PodState pod)
    {
        if (nodes.Count == 0)
        {
            return "no nodes available to schedule pods";
        }

        var reasons = nodes.SelectMany(n => used[n.Name].Reasons(n, pod)).GroupBy(r => r)
            .Select(g => $"{g.Count()} {g.Key}").Order(StringComparer.Ordinal);
        var unresolvable = nodes.Count(n => n.Unschedulable || TaintToleration.Untolerated(n, pod) is not null);
        var preemption = new[] { (Count: unresolvable, Reason: "Preemption is not helpful for scheduling"), (Count: nodes.Count - unresolvable, Reason: "No preemption victims found for incoming pod") }
            .Where(p => p.Count > 0).Select(p => $"{p.Count} {p.Reason}").Order(StringComparer.Ordinal);
        return $"0/{nodes.Count} nodes are available: {string.Join(", ", reasons)}. "
            + $"preemption: 0/{nodes.Count} nodes are available: {string.Join(", ", preemption)}.";
    }

    private void ReportUnschedulable(PodState pod, string message, string stamp)
    {
        if (_reported.GetValueOrDefault(pod.Uid) == message)
        {
            return;
        }

        _reported[pod.Uid] = message;
        operations.Rewrite(BuiltInResources.Pods, pod.Namespace, pod.Name, pod.Uid, o => PodObjects.MarkUnschedulable(o, message, stamp));
        RecordEvent(pod, "Warning", "FailedScheduling", message, stamp);
    }

    private void RecordEvent(PodState pod, string type, string reason, string message, string stamp) =>
        ClusterEvents.Record(operations, ("v1", "Pod", pod.Namespace, pod.Name, pod.Uid), type, reason, type == "Normal" ? "Binding" : "Scheduling", message, Component, stamp);

    private void Forget(List<PodState> pods)
    {
        var alive = pods.Select(p => p.Uid).ToHashSet();
        kubelet.Forget(alive);
        foreach (var gone in _boundAt.Keys.Where(uid => !alive.Contains(uid)).ToList())
        {
            _boundAt.Remove(gone);
        }

        foreach (var gone in _reported.Keys.Where(uid => !alive.Contains(uid)).ToList())
        {
            _reported.Remove(gone);
        }
    }

    /// <summary>The pods bound to one node and what they request (as written, and as the scorer counts them).</summary>
    private sealed class NodeUsage
    {
        private const long MaxNodeScore = 100;
        private readonly List<PodState> _bound = [];
        private long _cpu;
        private long _memory;
        private long _nonZeroCpu;
        private long _nonZeroMemory;
        private int _pods;

        public IEnumerable<PodState> Pods => _bound;

        public void Add(PodState pod)
        {
            _bound.Add(pod);
            _cpu += pod.MilliCpu;
            _memory += pod.Memory;
            _nonZeroCpu += pod.NonZeroRequests.MilliCpu;
            _nonZeroMemory += pod.NonZeroRequests.Memory;
            _pods++;
        }

        public bool Fits(NodeState node, PodState pod) => !Reasons(node, pod).Any();

        public IEnumerable<string> Reasons(NodeState node, PodState pod)
        {
            // The NodeUnschedulable filter runs first and ends the node's filtering.
            if (node.Unschedulable)
            {
                yield return "node(s) were unschedulable";
                yield break;
            }

            // TaintToleration runs next, before the resources are looked at.
            if (TaintToleration.Untolerated(node, pod) is { } taint)
            {
                yield return taint;
                yield break;
            }

            if (_pods + 1 > node.MaxPods)
            {
                yield return "Too many pods";
            }

            if (_cpu + pod.MilliCpu > node.MilliCpu)
            {
                yield return "Insufficient cpu";
            }

            if (_memory + pod.Memory > node.Memory)
            {
                yield return "Insufficient memory";
            }
        }

        // NodeResourcesFit's LeastAllocated (cpu and memory weight 1) on the non-zero requests, the pod's included.
        public long LeastAllocated(NodeState node, PodState pod)
        {
            var scores = new[] { (_nonZeroCpu + pod.NonZeroRequests.MilliCpu, node.MilliCpu), (_nonZeroMemory + pod.NonZeroRequests.Memory, node.Memory) }
                .Where(r => r.Item2 > 0)
                .Select(r => r.Item1 > r.Item2 ? 0 : (r.Item2 - r.Item1) * MaxNodeScore / r.Item2)
                .ToList();
            return scores.Count == 0 ? 0 : scores.Sum() / scores.Count;
        }

        // NodeResourcesBalancedAllocation (1.32: best-effort pods too) on the requests as written: the closer the node's
        // CPU and memory fractions after the pod, the better.
        public long Balanced(NodeState node, PodState pod)
        {
            var fractions = new[] { (_cpu + pod.MilliCpu, node.MilliCpu), (_memory + pod.Memory, node.Memory) }
                .Where(r => r.Item2 > 0).Select(r => Math.Min(1, (double)r.Item1 / r.Item2)).ToList();
            var std = fractions.Count == 2 ? Math.Abs((fractions[0] - fractions[1]) / 2) : 0;
            return (long)((1 - std) * MaxNodeScore);
        }
    }
}
