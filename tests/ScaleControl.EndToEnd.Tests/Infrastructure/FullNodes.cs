using ScaleControl.Testing.Kubernetes;
using ScaleControl.Testing.Timing;

namespace ScaleControl.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The sandbox's nodes full, as after a storm, through real kubectl: a Deployment no policy scales asks for as many
/// 1-CPU pods as the nodes have CPUs, so some of them wait Pending and every node has less than a CPU left. A pod of
/// a policy's workload that is then deleted comes back Pending (the older waiting pods take the room it left), with
/// the scheduler's Unschedulable condition. Disposing deletes the filler's namespace: room again.
/// </summary>
public sealed class FullNodes : IAsyncDisposable
{
    /// <summary>The scheduler's verdict on the sandbox's three nodes (allocatable 8 CPUs each) for a pod of 1 CPU or more.</summary>
    public const string NoRoom = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";

    private const string Namespace = "capacity-filler";

    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: capacity-filler
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: filler
          namespace: capacity-filler
        spec:
          replicas: 24
          selector:
            matchLabels: {app: filler}
          template:
            metadata:
              labels: {app: filler}
            spec:
              containers:
              - name: pause
                image: registry.k8s.io/pause:3.10
                resources:
                  requests: {cpu: "1", memory: 64Mi}
        """;

    private readonly Kubectl _kubectl;

    private FullNodes(Kubectl kubectl) => _kubectl = kubectl;

    /// <summary>Fills the nodes; returns once a filler pod waits for room (so no node has a CPU left).</summary>
    public static async Task<FullNodes> FillAsync(Kubectl kubectl)
    {
        var full = new FullNodes(kubectl);
        await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("capacity-filler.yaml", Manifest));
        Assert.True(await Patience.UntilAsync(async () => (await full.SchedulerReasonsAsync(Namespace, "")).Contains("Unschedulable", StringComparison.Ordinal), 15),
            $"no filler pod waits for room:\n{(await kubectl.RunAsync("get", "pods", "-n", Namespace)).StdOut}");
        return full;
    }

    /// <summary>Deletes <paramref name="pod"/> (of a StatefulSet, which makes it again under its name) and waits until it is back, Pending for lack of room.</summary>
    public async Task RecreatePendingAsync(string ns, string pod)
    {
        await _kubectl.RunAsync("delete", "pod", pod, "-n", ns, "--wait=false");
        Assert.True(await Patience.UntilAsync(async () => await SchedulerReasonsAsync(ns, pod) == "Unschedulable", 15),
            $"{ns}/{pod} did not come back Pending:\n{(await _kubectl.RunRawAsync("get", "pod", pod, "-n", ns, "-o", "yaml")).StdOut}");
    }

    /// <summary>
    /// Writes <paramref name="message"/> as the waiting pod's PodScheduled message, through its status subresource as a
    /// scheduler does (a scheduler plugin or a second scheduler writes whatever it likes there). The sandbox's
    /// scheduler rewrites it only when its own verdict changes, and with the nodes full it does not.
    /// </summary>
    public async Task WriteSchedulerMessageAsync(string ns, string pod, string message)
    {
        var patch = System.Text.Json.JsonSerializer.Serialize(new object[]
        {
            new { op = "test", path = "/status/conditions/0/type", value = "PodScheduled" },
            new { op = "replace", path = "/status/conditions/0/message", value = message },
        });
        await _kubectl.RunAsync("patch", "pod", pod, "-n", ns, "--subresource=status", "--type=json", "-p", patch);
    }

    /// <summary>The PodScheduled reasons of <paramref name="pod"/> (all the namespace's pods when empty), space-separated.</summary>
    private async Task<string> SchedulerReasonsAsync(string ns, string pod)
    {
        var path = pod.Length == 0 ? "{.items[*].status.conditions[?(@.type==\"PodScheduled\")].reason}" : "{.status.conditions[?(@.type==\"PodScheduled\")].reason}";
        var result = await _kubectl.RunRawAsync(["get", "pods", .. pod.Length == 0 ? Array.Empty<string>() : [pod], "-n", ns, "-o", $"jsonpath={path}"]);
        return result.ExitCode == 0 ? result.StdOut.Trim() : "";
    }

    public async ValueTask DisposeAsync() => await _kubectl.RunAsync("delete", "namespace", Namespace, "--wait=true");
}
